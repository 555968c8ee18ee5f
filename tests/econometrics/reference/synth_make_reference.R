# Reference for econometrics.synthetic_control (run by hand, not by pytest):
#
#   git clone https://github.com/synth-inference/synthdid   # tested at 70c1ce3e (2024-01-15)
#   Rscript tests/econometrics/reference/synth_make_reference.R path/to/synthdid
#
# Sources R synthdid's R/ files (no installation; needs only mvtnorm, Debian r-cran-mvtnorm) and
# runs sc_estimate (Abadie-Diamond-Hainmueller synthetic control as synthdid computes it:
# Frank-Wolfe weights on the simplex, no intercept, ridge eta.omega = 1e-6) on the California
# Proposition 99 panel stored beside this script (synthdid's california_prop99). Writes
#   synth_reference.csv          : quantity, label, value (estimate, placebo SE, noise level,
#                                  unit weights omega, the effect curve by year)
#                                  and, on the same panel with Nevada also treated from 1989
#                                  (two treated units), the estimate and synthdid's
#                                  fixed-weights jackknife SE (vcov(method = "jackknife"))
#   synth_placebo_permutations.csv: the 200 permutations of the controls drawn by
#                                  vcov(method = "placebo") after set.seed(20240611), one row
#                                  per replication (1-based control indices), so the Python
#                                  placebo can be run on the same draws.
args <- commandArgs(trailingOnly = TRUE)
src <- if (length(args)) args[1] else "synthdid"
for (f in c("utils.R", "solver.R", "synthdid.R", "vcov.R")) source(file.path(src, "R", f))
here <- dirname(normalizePath(sub("--file=", "", grep("--file=", commandArgs(), value = TRUE))))
panel <- read.csv(file.path(here, "california_prop99.csv"), sep = ";")
setup <- panel.matrices(panel)
sc <- sc_estimate(setup$Y, setup$N0, setup$T0)
seed <- 20240611
replications <- 200
set.seed(seed)
se <- sqrt(vcov(sc, method = "placebo", replications = replications))
set.seed(seed)
perms <- t(replicate(replications, sample(1:setup$N0)))
w <- attr(sc, "weights")
noise <- sd(apply(setup$Y[1:setup$N0, 1:setup$T0], 1, diff))
curve <- synthdid_effect_curve(sc)
years <- colnames(setup$Y)[(setup$T0 + 1):ncol(setup$Y)]
two <- panel
two$treated[two$State == "Nevada" & two$Year >= 1989] <- 1
setup2 <- panel.matrices(two)
sc2 <- sc_estimate(setup2$Y, setup2$N0, setup2$T0)
jk <- sqrt(vcov(sc2, method = "jackknife"))
out <- rbind(
  data.frame(quantity = "estimate", label = "", value = c(sc)),
  data.frame(quantity = "placebo_se", label = as.character(replications), value = c(se)),
  data.frame(quantity = "noise_level", label = "", value = noise),
  data.frame(quantity = "omega", label = rownames(setup$Y)[1:setup$N0], value = w$omega),
  data.frame(quantity = "effect", label = years, value = c(curve)),
  data.frame(quantity = "two_treated_estimate", label = "California, Nevada", value = c(sc2)),
  data.frame(quantity = "two_treated_jackknife_se", label = "", value = c(jk)))
write.csv(out, file.path(here, "synth_reference.csv"), row.names = FALSE)
write.csv(perms, file.path(here, "synth_placebo_permutations.csv"), row.names = FALSE)
print(sprintf("sc_estimate %.10f, placebo se %.10f; two treated %.10f, jackknife se %.10f",
              c(sc), c(se), c(sc2), c(jk)))
