// Basic numeric types shared by the whole library.
#pragma once

#include <Eigen/Dense>
#include <cstdint>
#include <random>

namespace bilevel {

using Index = std::int64_t;
using Vec = Eigen::VectorXd;
using Mat = Eigen::MatrixXd;

// One seeded generator per run: runs are reproducible bit-for-bit for a seed.
using Rng = std::mt19937_64;

// Which of the two levels an oracle is asked about: the upper-level objective f or the
// lower-level objective g of  min_x f(x, y*(x)),  y*(x) = argmin_y g(x, y).
enum class Fn { kF = 0, kG = 1 };

inline const char* to_string(Fn fn) { return fn == Fn::kF ? "f" : "g"; }

}  // namespace bilevel
