# The R side of bench/mstl.sh: for every origin of origins.csv (file, train, horizon, period, step
# seconds), R forecast 8.20's stlf on an msts with the day and the week (forecast(mstl(y)): MSTL, then
# ETS on the seasonally adjusted series) and Prophet 1.0 at its defaults (it turns daily and weekly
# seasonality on from the history's span), on the same history; their point forecasts to
# r_forecasts.csv, with R's own clock per origin and method to r_seconds.csv.
#
# Debian 12's r-cran-prophet needs r-cran-bh, which needs libboost-dev 1.74, which conflicts with the
# Boost 1.81 headers the sidecar builds with: scripts/deps.sh bench installs a small local package
# that provides libboost-dev by the installed 1.81 headers.
#
#   Rscript forecast_r.R DATA_DIR WORK_DIR
suppressPackageStartupMessages({
  library(forecast)
  library(prophet)
})
args <- commandArgs(trailingOnly = TRUE)
data_dir <- args[1]
work <- args[2]
origins <- read.csv(file.path(work, "origins.csv"), stringsAsFactors = FALSE)
out <- list()
seconds <- list()
for (file in unique(origins$file)) {
  series <- read.csv(file.path(data_dir, file), stringsAsFactors = FALSE)
  # As the benchmark's table has them: the first time plus the position times the step (see mstl.sh).
  step <- origins$step_seconds[origins$file == file][1]
  times <- as.POSIXct(series$timestamp[1], tz = "UTC") + step * (seq_len(nrow(series)) - 1)
  for (i in which(origins$file == file)) {
    o <- origins[i, ]
    train <- series$value[seq_len(o$train)]
    h <- o$horizon
    m <- o$period
    # forecast::mstl + forecast(): stlf on the msts of a day and a week.
    started <- proc.time()[["elapsed"]]
    fc <- forecast(mstl(msts(train, seasonal.periods = c(m, 7 * m))), h = h)
    seconds[[length(seconds) + 1]] <- data.frame(file = file, method = "R mstl", seconds = proc.time()[["elapsed"]] - started)
    out[[length(out) + 1]] <- data.frame(file = file, train = o$train, method = "R mstl", step = seq_len(h),
                                         mean = as.numeric(fc$mean))
    # Prophet at its defaults.
    started <- proc.time()[["elapsed"]]
    fit <- suppressMessages(prophet(data.frame(ds = times[seq_len(o$train)], y = train)))
    p <- predict(fit, data.frame(ds = times[o$train] + o$step_seconds * seq_len(h)))
    seconds[[length(seconds) + 1]] <- data.frame(file = file, method = "Prophet", seconds = proc.time()[["elapsed"]] - started)
    out[[length(out) + 1]] <- data.frame(file = file, train = o$train, method = "Prophet", step = seq_len(h),
                                         mean = as.numeric(p$yhat))
    cat(sprintf("R: %s, %d values: mstl %.1f s, Prophet %.1f s\n", file, o$train,
                seconds[[length(seconds) - 1]]$seconds, seconds[[length(seconds)]]$seconds))
  }
}
write.csv(do.call(rbind, out), file.path(work, "r_forecasts.csv"), row.names = FALSE)
write.csv(do.call(rbind, seconds), file.path(work, "r_seconds.csv"), row.names = FALSE)
