// Which part of a finite-sum problem one rank of a distributed run holds.
//
// A sharded problem splits each of its sample sets (training rows, validation rows, the
// components of f and g) into `count` contiguous blocks of the set's order, as balanced as
// possible (the first n mod count blocks get one more), and rank `index` holds block `index`.
// Its local f and g are weighted so that the MEAN over ranks is the whole problem exactly:
// with n samples in all and n_r on this rank, the local sum over its samples is scaled by
// count / n (weight() = count n_r / n times the local mean), and terms that do not depend on
// samples (regularizers) are kept whole on every rank. Uneven shards are thus weighted by
// n_r / n, and the mean of the local oracles equals the single-process oracle (up to the
// order of the floating-point sums).
#pragma once

#include <string>
#include <utility>

#include "bilevel/core/types.hpp"

namespace bilevel {

class Comm;

struct Shard {
  int index = 0;
  int count = 1;
  // The ranks' communicator, for what building a shard needs across ranks (the whole
  // problem's constants), uncounted. Null only when count == 1.
  Comm* comm = nullptr;
  // x is split with the samples (hyperclean: one weight per training sample): dim_x() is this
  // rank's block, and an x-vector's mean over ranks is this block divided by count, without
  // communication (mean_over_ranks_x).
  bool x_local = false;

  bool whole() const { return count == 1; }
  // This rank's rows [first, first + size) of a set of n samples.
  std::pair<Index, Index> rows(Index n) const;
  // count n_r / n: the factor on this rank's local mean that makes the mean over ranks the
  // whole set's mean (0 when this rank holds no sample of the set).
  double weight(Index n) const;
  // Throws InvalidInput naming `owner` unless every rank gets at least one of the n samples
  // of the set called `what`.
  void check_size(Index n, const std::string& what, const std::string& owner) const;
  // "rank 2 of 4" (for messages and option echoes).
  std::string describe() const;
};

// The mean over ranks of an x-space vector of the method (a direction, a hypergradient): an
// allreduce (counted), or for x_local this rank's block divided by count, with none.
void mean_over_ranks_x(Comm& comm, const Shard& shard, Vec& v);

// The shard of this rank of `comm` (the whole problem when comm has one rank).
Shard shard_of(Comm& comm);

}  // namespace bilevel
