// Special functions and distribution tails behind the p-values in analysis/:
// the regularized incomplete beta function (Student's t), the normal tail and
// its inverse. Written here rather than pulled from a library so that every
// formula is visible and cited; the tests compare them with scipy.special.
//
// Example:
//   double p = StudentTTwoSidedP(2.5, 10);  // 0.0314..., two-sided
//   double z = NormalQuantile(0.975);       // 1.959963984540054
//
// All functions are pure and thread-safe.
#ifndef BENCHFLEET_ANALYSIS_DISTRIBUTIONS_H_
#define BENCHFLEET_ANALYSIS_DISTRIBUTIONS_H_

namespace benchfleet::analysis {

// Regularized incomplete beta function I_x(a, b) for a > 0, b > 0 and
// x in [0, 1], evaluated by the continued fraction of Numerical Recipes
// (Press et al., 3rd ed., 2007, section 6.4, `betai`/`betacf`) with the
// modified Lentz method (Lentz 1976; Thompson & Barnett 1986). Relative
// accuracy is about 1e-13 for a, b up to 1e5. Returns NaN for NaN or
// out-of-domain arguments. Equals scipy.special.betainc(a, b, x).
double RegularizedIncompleteBeta(double a, double b, double x);

// Two-sided p-value P(|T| >= |t|) of Student's t with `dof` > 0 degrees of
// freedom: I_{dof/(dof+t^2)}(dof/2, 1/2) (Abramowitz & Stegun, section
// 26.7, Student's t through the incomplete beta function; Numerical Recipes
// 3rd ed., section 6.14, states the same). +-infinity gives 0; NaN t or dof <=
// 0 gives NaN. Equals 2 * scipy.stats.t.sf(abs(t), dof).
double StudentTTwoSidedP(double t, double dof);

// The same p-value written in terms of a correlation r with n - 2 = `dof`
// degrees of freedom, where t = r sqrt(dof / (1 - r^2)) so that
// dof / (dof + t^2) = 1 - r^2: avoids the cancellation of forming t when
// |r| is close to 1. |r| >= 1 gives 0; NaN gives NaN.
double CorrelationTwoSidedP(double r, double dof);

// Upper tail P(Z >= z) of the standard normal: erfc(z / sqrt 2) / 2.
// Equals scipy.stats.norm.sf(z).
double NormalSf(double z);

// Two-sided p-value P(|Z| >= |z|) = erfc(|z| / sqrt 2); NaN gives NaN.
double NormalTwoSidedP(double z);

// Inverse of the standard normal CDF for p in (0, 1); 0 gives -inf, 1 gives
// +inf, outside [0, 1] or NaN gives NaN. Starts from Abramowitz & Stegun
// 26.2.23 (|error| < 4.5e-4) and refines with Newton steps on erfc, so the
// result is accurate to a few ulps. Equals scipy.stats.norm.ppf(p).
double NormalQuantile(double p);

}  // namespace benchfleet::analysis

#endif  // BENCHFLEET_ANALYSIS_DISTRIBUTIONS_H_
