# The score of bench/mstl.sh: MASE per method and file, over the origins of origins.csv, for our
# forecasts (ours.csv) and R's (r_forecasts.csv). Each origin's errors over its horizon are scaled by
# the mean absolute error of the seasonal naive forecast (lag: one day) in that origin's history, as
# Hyndman & Koehler (2006) define MASE for seasonal data; the figure is the mean over the origins.
#
#   Rscript score.R DATA_DIR WORK_DIR
args <- commandArgs(trailingOnly = TRUE)
data_dir <- args[1]
work <- args[2]
origins <- read.csv(file.path(work, "origins.csv"), stringsAsFactors = FALSE)
forecasts <- rbind(read.csv(file.path(work, "ours.csv"), stringsAsFactors = FALSE),
                   read.csv(file.path(work, "r_forecasts.csv"), stringsAsFactors = FALSE))
rows <- list()
for (file in unique(origins$file)) {
  y <- read.csv(file.path(data_dir, file), stringsAsFactors = FALSE)$value
  for (i in which(origins$file == file)) {
    o <- origins[i, ]
    m <- o$period
    history <- y[seq_len(o$train)]
    scale <- mean(abs(diff(history, lag = m)))
    actual <- y[o$train + seq_len(o$horizon)]
    for (method in unique(forecasts$method)) {
      f <- forecasts[forecasts$file == file & forecasts$train == o$train & forecasts$method == method, ]
      f <- f[order(f$step), ]
      if (nrow(f) != o$horizon) stop(sprintf("%s: %d forecasts for %s origin %d", method, nrow(f), file, o$train))
      rows[[length(rows) + 1]] <- data.frame(file = file, method = method, train = o$train,
                                             mase = mean(abs(actual - f$mean)) / scale)
    }
  }
}
scores <- do.call(rbind, rows)
table <- aggregate(mase ~ file + method, data = scores, FUN = mean)
wide <- reshape(table, idvar = "file", timevar = "method", direction = "wide")
names(wide) <- sub("^mase\\.", "", names(wide))
cat(sprintf("%-36s %8s %8s %8s   %s\n", "file", "ours", "R mstl", "Prophet", "ours / best of R"))
for (r in seq_len(nrow(wide))) {
  w <- wide[r, ]
  best <- min(w[["R mstl"]], w[["Prophet"]])
  cat(sprintf("%-36s %8.3f %8.3f %8.3f   %.3f\n", sub("\\.csv$", "", basename(w$file)), w$ours, w[["R mstl"]],
              w$Prophet, w$ours / best))
}
write.csv(scores, file.path(work, "scores.csv"), row.names = FALSE)
