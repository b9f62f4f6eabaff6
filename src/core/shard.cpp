#include "bilevel/core/shard.hpp"

#include "bilevel/core/comm.hpp"
#include "bilevel/core/error.hpp"

namespace bilevel {

std::pair<Index, Index> Shard::rows(Index n) const {
  const Index m = count, r = index;
  const Index base = n / m, extra = n % m;
  const Index first = r * base + std::min(r, extra);
  return {first, base + (r < extra ? 1 : 0)};
}

double Shard::weight(Index n) const {
  if (n <= 0) return 0.0;
  return static_cast<double>(count) * static_cast<double>(rows(n).second) /
         static_cast<double>(n);
}

void Shard::check_size(Index n, const std::string& what, const std::string& owner) const {
  if (n < count)
    throw InvalidInput(owner + ": the " + what + " set has " + std::to_string(n) +
                       " samples, fewer than the " + std::to_string(count) +
                       " ranks that share it (each needs at least one)");
}

std::string Shard::describe() const {
  return "rank " + std::to_string(index) + " of " + std::to_string(count);
}

void mean_over_ranks_x(Comm& comm, const Shard& shard, Vec& v) {
  if (shard.x_local) v /= static_cast<double>(shard.count);
  else comm.allreduce_mean(v);
}

Shard shard_of(Comm& comm) {
  Shard s;
  s.index = comm.rank();
  s.count = comm.size();
  s.comm = s.count > 1 ? &comm : nullptr;
  return s;
}

}  // namespace bilevel
