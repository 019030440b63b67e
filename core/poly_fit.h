#pragma once

// Weighted least-squares polynomials in one variable with 3-vector values:
// the fits behind gap bridging (reconstruction/gap_filling.cc) and robust
// smoothing of landmark tracks (plugins/host/landmark_geometry.cc). Keep x
// small (frames from the point of interest, or scaled to [-1, 1]) and values
// relative to a nearby point: the normal equations square the conditioning.

#include <Eigen/Cholesky>
#include <Eigen/Core>

namespace hl {

template <int Degree>
class PolyFit3 {
 public:
  static constexpr int kTerms = Degree + 1;
  using Basis = Eigen::Matrix<double, kTerms, 1>;
  using Normal = Eigen::Matrix<double, kTerms, kTerms>;
  using Coefficients = Eigen::Matrix<double, kTerms, 3>;  // row k: the x^k term

  static Basis BasisAt(double x) {
    Basis basis;
    double v = 1.0;
    for (int k = 0; k < kTerms; ++k) basis(k) = v, v *= x;
    return basis;
  }
  static Eigen::Vector3d Evaluate(const Coefficients& coef, double x) {
    return coef.transpose() * BasisAt(x);
  }

  void Add(double x, const Eigen::Vector3d& value, double weight = 1.0) {
    const Basis basis = BasisAt(x);
    normal_ += weight * basis * basis.transpose();
    rhs_ += weight * basis * value.transpose();
    ++count_;
  }
  int count() const { return count_; }
  // The normal equations, normal() * coefficients = rhs(), for callers that
  // need more than the solution (leverages).
  const Normal& normal() const { return normal_; }
  const Coefficients& rhs() const { return rhs_; }

  // False when the coefficients are not finite (too few distinct x).
  bool Solve(Coefficients* coef) const {
    *coef = normal_.ldlt().solve(rhs_);
    return coef->allFinite();
  }

 private:
  Normal normal_ = Normal::Zero();
  Coefficients rhs_ = Coefficients::Zero();
  int count_ = 0;
};

}  // namespace hl
