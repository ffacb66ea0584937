// Mean, standard deviation, min and max of a stream of numbers in O(1) memory (Welford's update,
// which stays accurate when the values are large and close together, as massive activations are).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

namespace massact {

class RunningStats {
 public:
  void add(double x) {
    ++n_;
    const double delta = x - mean_;
    mean_ += delta / double(n_);
    m2_ += delta * (x - mean_);
    min_ = std::min(min_, x);
    max_ = std::max(max_, x);
  }
  int64_t count() const { return n_; }
  double mean() const { return n_ ? mean_ : NAN; }
  // Population standard deviation (of the values seen, not an estimate for unseen ones).
  double stddev() const { return n_ ? std::sqrt(m2_ / double(n_)) : NAN; }
  double min() const { return n_ ? min_ : NAN; }
  double max() const { return n_ ? max_ : NAN; }

 private:
  int64_t n_ = 0;
  double mean_ = 0.0, m2_ = 0.0;
  double min_ = std::numeric_limits<double>::infinity();
  double max_ = -std::numeric_limits<double>::infinity();
};

}  // namespace massact
