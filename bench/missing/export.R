# Writes the public tables with missing values that bench/missing.mjs compares on, as CSV with a missing value left
# empty and the target last; see README.md beside this script for each table's origin and licence.
# Run from the repository root:  Rscript bench/missing/export.R
suppressMessages({ library(mlbench); library(carData); library(palmerpenguins) })
here <- "bench/missing"
out <- function(d, name) {
  write.csv(d, file.path(here, paste0(name, ".csv")), row.names = FALSE, quote = FALSE, na = "")
  cat(sprintf("%-12s %5d rows %3d columns %5d missing values\n", name, nrow(d), ncol(d), sum(is.na(d))))
}
num <- function(f) as.numeric(as.character(f))
get1 <- function(name) { data(list = name, envir = environment()); get(name, envir = environment()) }

# Passengers of the Titanic: age missing for 263 of 1309.
d <- carData::TitanicSurvival; d <- d[, c("sex", "age", "passengerClass", "survived")]; out(d, "titanic")
# Palmer penguins: measurements and sex missing for a few birds; the species last.
d <- as.data.frame(palmerpenguins::penguins); d <- d[, c(2:8, 1)]; out(d, "penguins")
# Pima diabetes with the impossible zeros as missing values (mlbench's corrected version).
out(get1("PimaIndiansDiabetes2"), "pima2")
# Congressional votes, a vote not cast as a missing value; the party (first column) last.
d <- get1("HouseVotes84"); d <- d[, c(2:17, 1)]; out(d, "votes")
# Breast cancer (Wisconsin), its 16 missing Bare.nuclei kept; the sample Id dropped; the scores 1-10 as numbers.
d <- get1("BreastCancer"); d$Id <- NULL; for (v in names(d)[1:9]) d[[v]] <- num(d[[v]]); out(d, "breastcancer")
# Soybean diseases: 35 coded observations (as numbers), 2337 of them missing; 19 classes last.
d <- get1("Soybean"); for (v in names(d)[-1]) d[[v]] <- num(d[[v]]); d <- d[, c(2:36, 1)]; out(d, "soybean")
# New York air quality, 1973: the ozone reading to predict; the 37 days without one dropped (Solar.R keeps its gaps).
d <- airquality[!is.na(airquality$Ozone), c("Solar.R", "Wind", "Temp", "Month", "Day", "Ozone")]; out(d, "airquality")
# Los Angeles ozone, 1976: month and day as numbers, the weekday as a category, the daily maximum (V4) last; the 5 days
# without one dropped, the other gaps kept.
d <- get1("Ozone"); d <- d[!is.na(d$V4), ]
d <- data.frame(month = num(d$V1), day = num(d$V2), weekday = paste0("d", d$V3), d[, 5:13], ozone = d$V4); out(d, "ozone")
