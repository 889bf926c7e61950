#!/usr/bin/env Rscript
# The R side of bench/classic.sh: a holdout of classic real series that are not M3, taken at bench
# time from R's own packages (datasets, and forecast's data sets); nothing is copied into the project.
#
#   Rscript classic_r.R export OUT_DIR   writes OUT_DIR/train.csv (series,grp,period,t,value),
#                                        OUT_DIR/test.csv (series,step,value), OUT_DIR/r_forecasts.csv
#                                        (series,method,step,mean) and OUT_DIR/r_seconds.csv
#   Rscript classic_r.R score OUT_DIR    reads those and OUT_DIR/ours.csv (series,method,step,mean) and
#                                        prints mean sMAPE and MASE per group and method
#
# The series: every univariate ts in those packages with frequency 1, 4 or 12, no missing value, and
# enough history (yearly >= 14 points for training, quarterly >= 16, monthly >= 36); the last h points
# are held out as in M3 (yearly 6, quarterly 8, monthly 18). R forecast's auto.arima(), ets() and
# thetaf() at their defaults are the baselines.
suppressPackageStartupMessages(library(forecast))

args <- commandArgs(trailingOnly = TRUE)
if (length(args) != 2 || !(args[1] %in% c("export", "score"))) stop("usage: Rscript classic_r.R export|score OUT_DIR")
out_dir <- args[2]
HORIZON <- c("1" = 6, "4" = 8, "12" = 18)
GROUP <- c("1" = "yearly", "4" = "quarterly", "12" = "monthly")
MIN_TRAIN <- c("1" = 14, "4" = 16, "12" = 36)

classic_series <- function() {
  found <- list()
  for (pkg in c("datasets", "forecast")) {
    items <- data(package = pkg)$results[, "Item"]
    for (entry in items) {
      item <- sub(" .*", "", entry) # "ldeaths (UKLungDeaths)": the series ldeaths of the data set UKLungDeaths
      set <- if (grepl("(", entry, fixed = TRUE)) sub(".*\\((.*)\\)", "\\1", entry) else item
      env <- new.env()
      ok <- tryCatch({ data(list = set, package = pkg, envir = env); TRUE }, error = function(e) FALSE,
                     warning = function(w) FALSE)
      if (!ok || !exists(item, envir = env, inherits = FALSE)) next
      y <- get(item, envir = env)
      if (!is.ts(y) || !is.null(dim(y)) || any(is.na(y))) next
      f <- as.character(frequency(y))
      if (!(f %in% names(HORIZON))) next
      if (length(y) - HORIZON[[f]] < MIN_TRAIN[[f]]) next
      found[[paste0(pkg, "::", item)]] <- y
    }
  }
  found
}

smape <- function(actual, fc) {
  d <- abs(actual) + abs(fc)
  mean(ifelse(d == 0, 0, 200 * abs(actual - fc) / d))
}

if (args[1] == "export") {
  series <- classic_series()
  train_rows <- list(); test_rows <- list(); fc_rows <- list()
  seconds <- c(r_auto_arima = 0, r_ets = 0, r_thetaf = 0)
  for (name in names(series)) {
    y <- series[[name]]
    f <- as.character(frequency(y)); h <- HORIZON[[f]]; n <- length(y) - h
    train <- ts(as.numeric(y)[1:n], frequency = frequency(y))
    train_rows[[name]] <- data.frame(series = name, grp = GROUP[[f]], period = frequency(y), t = 1:n,
                                     value = as.numeric(train))
    test_rows[[name]] <- data.frame(series = name, step = 1:h, value = as.numeric(y)[(n + 1):(n + h)])
    methods <- list(r_auto_arima = function() forecast(auto.arima(train), h = h),
                    r_ets = function() forecast(ets(train), h = h),
                    r_thetaf = function() thetaf(train, h = h))
    for (m in names(methods)) {
      started <- proc.time()[["elapsed"]]
      fc <- methods[[m]]()
      seconds[[m]] <- seconds[[m]] + proc.time()[["elapsed"]] - started
      fc_rows[[paste(name, m)]] <- data.frame(series = name, method = m, step = 1:h, mean = as.numeric(fc$mean))
    }
  }
  write.csv(do.call(rbind, train_rows), file.path(out_dir, "train.csv"), row.names = FALSE)
  write.csv(do.call(rbind, test_rows), file.path(out_dir, "test.csv"), row.names = FALSE)
  write.csv(do.call(rbind, fc_rows), file.path(out_dir, "r_forecasts.csv"), row.names = FALSE)
  write.csv(data.frame(method = names(seconds), seconds = seconds), file.path(out_dir, "r_seconds.csv"),
            row.names = FALSE)
  cat(sprintf("%d classic series (%s)\n", length(series),
              paste(names(table(sapply(series, function(y) GROUP[[as.character(frequency(y))]]))),
                    table(sapply(series, function(y) GROUP[[as.character(frequency(y))]])), sep = " ", collapse = ", ")))
} else {
  train <- read.csv(file.path(out_dir, "train.csv"))
  test <- read.csv(file.path(out_dir, "test.csv"))
  fcs <- rbind(read.csv(file.path(out_dir, "r_forecasts.csv")), read.csv(file.path(out_dir, "ours.csv")))
  rows <- list()
  for (name in unique(test$series)) {
    tr <- train[train$series == name, ]; m <- tr$period[1]; y <- tr$value
    actual <- test$value[test$series == name]
    # MASE's scale: the in-sample mean absolute error of the seasonal naive forecast (naive when m = 1).
    lag <- if (length(y) > m) m else 1
    scale <- mean(abs(diff(y, lag = lag)))
    for (method in unique(fcs$method)) {
      fc <- fcs[fcs$series == name & fcs$method == method, ]
      if (nrow(fc) != length(actual)) next
      fc <- fc$mean[order(fc$step)]
      rows[[paste(name, method)]] <- data.frame(series = name, grp = tr$grp[1], method = method,
                                                smape = smape(actual, fc),
                                                mase = if (scale > 0) mean(abs(actual - fc)) / scale else NA)
    }
  }
  s <- do.call(rbind, rows)
  methods <- unique(s$method)
  cat(sprintf("%-10s %6s %s\n", "group", "series", paste(sprintf("%16s", methods), collapse = "")))
  for (g in c("yearly", "quarterly", "monthly", "all")) {
    sub <- if (g == "all") s else s[s$grp == g, ]
    if (nrow(sub) == 0) next
    cells <- sapply(methods, function(m) { x <- sub[sub$method == m, ]
      sprintf("%16s", sprintf("%.2f / %.3f", mean(x$smape), mean(x$mase, na.rm = TRUE))) })
    cat(sprintf("%-10s %6d %s\n", g, length(unique(sub$series)), paste(cells, collapse = "")))
  }
  cat("(each cell: mean sMAPE 0-200 / mean MASE)\n")
  per <- reshape(s[, c("series", "method", "smape")], idvar = "series", timevar = "method", direction = "wide")
  write.csv(per, file.path(out_dir, "per_series_smape.csv"), row.names = FALSE)
}
