#!/usr/bin/env Rscript
# The R side of bench/forecast.sh: forecasts every M3 series of the given groups with R's
# forecast package, ets() and thetaf() at their defaults, on the series without its last @horizon
# points, and writes what they forecast and how long each method took.
#
#   Rscript bench/m3/forecast_r.R M3_DIR OUT_DIR GROUP...      (GROUP: yearly quarterly monthly other)
#
# OUT_DIR/r_forecasts.csv  group,series,method,step,mean,lo80,hi80,lo95,hi95
# OUT_DIR/r_seconds.csv    group,method,series,seconds   (series: how many; seconds: elapsed for the group)
suppressPackageStartupMessages(library(forecast))

args <- commandArgs(trailingOnly = TRUE)
if (length(args) < 3) stop("usage: Rscript forecast_r.R M3_DIR OUT_DIR GROUP...")
m3_dir <- args[1]
out_dir <- args[2]
groups <- args[-(1:2)]
FREQUENCY <- c(yearly = 1, quarterly = 4, monthly = 12, other = 1)

# A .tsf file's series (name -> numeric vector) and its @horizon.
read_tsf <- function(path) {
  lines <- readLines(path, warn = FALSE)
  horizon <- as.integer(sub("^@horizon\\s+", "", grep("^@horizon", lines, value = TRUE)))
  start <- which(lines == "@data")
  data <- lines[(start + 1):length(lines)]
  data <- data[nzchar(data)]
  parts <- strsplit(data, ":", fixed = TRUE)
  series <- lapply(parts, function(p) as.numeric(strsplit(p[length(p)], ",", fixed = TRUE)[[1]]))
  names(series) <- vapply(parts, function(p) p[1], "")
  list(horizon = horizon, series = series)
}

forecast_csv <- file.path(out_dir, "r_forecasts.csv")
seconds_csv <- file.path(out_dir, "r_seconds.csv")
cat("group,series,method,step,mean,lo80,hi80,lo95,hi95\n", file = forecast_csv)
cat("group,method,series,seconds\n", file = seconds_csv)

METHODS <- list( # named as the score table shows them
  r_ets = function(y, h) forecast(ets(y), h = h, level = c(80, 95)),
  r_thetaf = function(y, h) thetaf(y, h = h, level = c(80, 95))
)

for (group in groups) {
  m3 <- read_tsf(file.path(m3_dir, paste0("m3_", group, ".tsf")))
  h <- m3$horizon
  for (method in names(METHODS)) {
    fit <- METHODS[[method]]
    rows <- vector("list", length(m3$series))
    started <- proc.time()[["elapsed"]]
    for (i in seq_along(m3$series)) {
      y <- m3$series[[i]]
      train <- ts(y[1:(length(y) - h)], frequency = FREQUENCY[[group]])
      fc <- fit(train, h)
      rows[[i]] <- data.frame(group = group, series = names(m3$series)[i], method = method, step = 1:h,
                              mean = as.numeric(fc$mean),
                              lo80 = as.numeric(fc$lower[, 1]), hi80 = as.numeric(fc$upper[, 1]),
                              lo95 = as.numeric(fc$lower[, 2]), hi95 = as.numeric(fc$upper[, 2]))
    }
    seconds <- proc.time()[["elapsed"]] - started
    write.table(do.call(rbind, rows), forecast_csv, sep = ",", append = TRUE, row.names = FALSE,
                col.names = FALSE, quote = FALSE)
    cat(sprintf("%s,%s,%d,%.3f\n", group, method, length(m3$series), seconds), file = seconds_csv, append = TRUE)
    message(sprintf("R %s %s: %d series in %.1f s", method, group, length(m3$series), seconds))
  }
}
