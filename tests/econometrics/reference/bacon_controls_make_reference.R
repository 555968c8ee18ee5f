# Reference for econometrics.bacon(..., covariates=[...]) (run by hand, not by pytest):
#
#   git clone https://github.com/evanjflack/bacondecomp   # tested at ec99dd07 (0.1.3)
#   Rscript tests/econometrics/reference/bacon_controls_make_reference.R path/to/bacondecomp \
#       ../shared/reference-data/castle.csv
#
# Runs bacondecomp's own R/bacon.R (the controlled decomposition of Goodman-Bacon 2021, Section
# 4: within component beta_hat_w with weight Omega, and one between 2x2 estimate and weight per
# pair of timing groups) on the castle-doctrine panel (l_homicide ~ post + controls, id state,
# time year). bacon.R calls fixest::feols for plain least squares with two-way fixed effects;
# fixest is not packaged for Debian, so the "fixest::" prefixes are removed from bacon.R's text
# and feols / r2 are provided below by stats::lm with factor() dummies -- the same least-squares
# fits (coefficients of the named regressors, residuals, fitted values including the fixed
# effects, and R squared). Writes bacon_controls_reference.csv: spec, quantity, treated,
# untreated, type, value (quantity = estimate / weight per 2x2; beta_hat_w; Omega; twfe).
args <- commandArgs(trailingOnly = TRUE)
src <- if (length(args) >= 1) args[1] else "bacondecomp"
castle_csv <- if (length(args) >= 2) args[2] else "castle.csv"

feols <- function(fml, data) {
  text <- paste(deparse(fml, width.cutoff = 500L), collapse = " ")
  parts <- strsplit(text, "|", fixed = TRUE)[[1]]
  lhs_rhs <- trimws(parts[1])
  if (length(parts) == 2) {
    fes <- trimws(strsplit(parts[2], "+", fixed = TRUE)[[1]])
    lhs_rhs <- paste(lhs_rhs, "+", paste0("factor(", fes, ")", collapse = " + "))
  }
  fit <- lm(as.formula(lhs_rhs), data = data)
  rhs <- attr(terms(as.formula(trimws(parts[1]))), "term.labels")
  out <- list(coefficients = coef(fit)[rhs], residuals = unname(residuals(fit)), lm = fit)
  class(out) <- "shim_feols"
  out
}
predict.shim_feols <- function(object, ...) unname(fitted(object$lm))
r2 <- function(fit, type = "r2") summary(fit$lm)$r.squared

code <- gsub("fixest::", "", readLines(file.path(src, "R", "bacon.R")), fixed = TRUE)
eval(parse(text = code))

castle <- read.csv(castle_csv)
specs <- list(
  pop_income = l_homicide ~ post + l_pop + l_income,
  four_controls = l_homicide ~ post + l_police + unemployrt + poverty + l_income
)
rows <- list()
for (name in names(specs)) {
  res <- bacon(specs[[name]], data = castle, id_var = "state", time_var = "year")
  tb <- res$two_by_twos
  rows[[length(rows) + 1]] <- data.frame(spec = name, quantity = "estimate",
    treated = tb$treated, untreated = tb$untreated, type = tb$type, value = tb$estimate)
  rows[[length(rows) + 1]] <- data.frame(spec = name, quantity = "weight",
    treated = tb$treated, untreated = tb$untreated, type = tb$type, value = tb$weight)
  rhs <- paste(c(all.vars(specs[[name]])[-1], "factor(state)", "factor(year)"), collapse = " + ")
  twfe <- coef(lm(as.formula(paste("l_homicide ~", rhs)), data = castle))[["post"]]
  rows[[length(rows) + 1]] <- data.frame(spec = name,
    quantity = c("beta_hat_w", "Omega", "twfe"), treated = NA, untreated = NA, type = "",
    value = c(res$beta_hat_w, res$Omega, twfe))
}
out <- do.call(rbind, rows)
here <- dirname(normalizePath(sub("--file=", "", grep("--file=", commandArgs(), value = TRUE))))
write.csv(out, file.path(here, "bacon_controls_reference.csv"), row.names = FALSE)
print(out[out$quantity != "estimate" & out$quantity != "weight", ])
