#include "analysis/distributions.h"

#include <cmath>
#include <limits>

namespace benchfleet::analysis {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kSqrt2 = 1.4142135623730950488;
constexpr double kInvSqrt2Pi = 0.39894228040143267794;

// Continued fraction for I_x(a, b), Numerical Recipes 3rd ed. eq. 6.4.5,
// evaluated with the modified Lentz method (NR section 5.2).
double BetaContinuedFraction(double a, double b, double x) {
  constexpr int kMaxIterations = 100000;
  constexpr double kEps = std::numeric_limits<double>::epsilon();
  constexpr double kTiny = std::numeric_limits<double>::min() / kEps;
  const double qab = a + b;
  const double qap = a + 1.0;
  const double qam = a - 1.0;
  double c = 1.0;
  double d = 1.0 - qab * x / qap;
  if (std::fabs(d) < kTiny) d = kTiny;
  d = 1.0 / d;
  double h = d;
  for (int m = 1; m <= kMaxIterations; ++m) {
    const int m2 = 2 * m;
    // Even step: d_{2m} = m (b - m) x / ((a + 2m - 1)(a + 2m)).
    double aa = m * (b - m) * x / ((qam + m2) * (a + m2));
    d = 1.0 + aa * d;
    if (std::fabs(d) < kTiny) d = kTiny;
    c = 1.0 + aa / c;
    if (std::fabs(c) < kTiny) c = kTiny;
    d = 1.0 / d;
    h *= d * c;
    // Odd step: d_{2m+1} = -(a + m)(a + b + m) x / ((a + 2m)(a + 2m + 1)).
    aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
    d = 1.0 + aa * d;
    if (std::fabs(d) < kTiny) d = kTiny;
    c = 1.0 + aa / c;
    if (std::fabs(c) < kTiny) c = kTiny;
    d = 1.0 / d;
    const double del = d * c;
    h *= del;
    if (std::fabs(del - 1.0) <= kEps) break;
  }
  return h;
}

// Standard normal CDF, computed from whichever tail keeps precision.
double NormalCdf(double x) { return 0.5 * std::erfc(-x / kSqrt2); }

}  // namespace

double RegularizedIncompleteBeta(double a, double b, double x) {
  if (std::isnan(a) || std::isnan(b) || std::isnan(x)) return kNaN;
  if (a <= 0 || b <= 0 || x < 0 || x > 1) return kNaN;
  if (x == 0) return 0.0;
  if (x == 1) return 1.0;
  // Prefactor x^a (1-x)^b / (a B(a, b)), NR eq. 6.4.5; log1p keeps 1-x exact
  // for small x.
  const double log_front = std::lgamma(a + b) - std::lgamma(a) -
                           std::lgamma(b) + a * std::log(x) +
                           b * std::log1p(-x);
  const double front = std::exp(log_front);
  // The continued fraction converges fast for x < (a+1)/(a+b+2); otherwise
  // use the symmetry I_x(a, b) = 1 - I_{1-x}(b, a) (NR section 6.4).
  if (x < (a + 1.0) / (a + b + 2.0)) {
    return front * BetaContinuedFraction(a, b, x) / a;
  }
  return 1.0 - front * BetaContinuedFraction(b, a, 1.0 - x) / b;
}

double StudentTTwoSidedP(double t, double dof) {
  if (std::isnan(t) || std::isnan(dof) || dof <= 0) return kNaN;
  if (std::isinf(t)) return 0.0;
  // A&S section 26.7: P(|T| >= t) = I_{dof/(dof+t^2)}(dof/2, 1/2).
  return RegularizedIncompleteBeta(0.5 * dof, 0.5, dof / (dof + t * t));
}

double CorrelationTwoSidedP(double r, double dof) {
  if (std::isnan(r) || std::isnan(dof) || dof <= 0) return kNaN;
  const double abs_r = std::fabs(r);
  if (abs_r >= 1.0) return 0.0;
  // dof / (dof + t^2) = 1 - r^2, formed as (1 - |r|)(1 + |r|).
  return RegularizedIncompleteBeta(0.5 * dof, 0.5,
                                   (1.0 - abs_r) * (1.0 + abs_r));
}

double NormalSf(double z) {
  if (std::isnan(z)) return kNaN;
  return 0.5 * std::erfc(z / kSqrt2);
}

double NormalTwoSidedP(double z) {
  if (std::isnan(z)) return kNaN;
  return std::erfc(std::fabs(z) / kSqrt2);
}

double NormalQuantile(double p) {
  if (std::isnan(p) || p < 0 || p > 1) return kNaN;
  if (p == 0) return -kInf;
  if (p == 1) return kInf;
  // Solve in the lower tail, where Phi(x) = q keeps full relative precision.
  const bool upper = p > 0.5;
  const double q = upper ? 1.0 - p : p;
  // Abramowitz & Stegun 26.2.23.
  const double t = std::sqrt(-2.0 * std::log(q));
  double x =
      -(t - (2.515517 + 0.802853 * t + 0.010328 * t * t) /
                (1.0 + 1.432788 * t + 0.189269 * t * t + 0.001308 * t * t * t));
  // Halley steps on f(x) = Phi(x) - q, with f' = phi(x), f'' = -x phi(x).
  for (int i = 0; i < 50; ++i) {
    const double density = kInvSqrt2Pi * std::exp(-0.5 * x * x);
    if (density <= 0) break;
    const double ratio = (NormalCdf(x) - q) / density;
    const double step = ratio / (1.0 + 0.5 * x * ratio);
    x -= step;
    if (std::fabs(step) <= 1e-16 * std::fabs(x) + 1e-300) break;
  }
  // Symmetry: the p quantile is minus the 1 - p quantile (1 - p is exact
  // for p in [1/2, 1], Sterbenz).
  return upper ? -x : x;
}

}  // namespace benchfleet::analysis
