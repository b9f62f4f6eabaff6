// Communication between the ranks (agents) of a distributed run: the facade that algorithms and
// problems talk to, so that none of them includes mpi.h (DESIGN section 3, "Distribution").
//
// A Comm is serial by default (one rank: every collective leaves its data as it is) and MPI's
// world when the library is built with MPI (BILEVEL_MPI) and the process was started by mpirun
// (world_comm()). Both count what the method communicates, as oracle calls are counted:
//   rounds  one per collective call (an allreduce, a broadcast);
//   bytes   the payload each rank contributes to it: the vector's size in bytes (what one agent
//           sends to the server in the f2ba paper's model of a round), whatever algorithm the
//           MPI library uses underneath.
// A serial Comm counts the same rounds and bytes as an MPI one: a distributed method run on one
// rank reports the communication it would make on many.
//
// Errors: a rank that fails (an unreadable shard, bad input) must not leave the others waiting
// in a collective. agree_on_error() is the collective checkpoint: every rank calls it with its
// own error or none, and every rank gets back the same answer (the lowest failing rank's message),
// so that all of them end the run together with one message. It is control traffic, not
// counted.
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string>

#include "bilevel/core/error.hpp"
#include "bilevel/core/types.hpp"

namespace bilevel {

class StateArchive;

// An error that every rank of a run has, with the same message (Comm::agree_on_error): the
// ranks end together, and a caller need not agree on it again (the CLI prints it once).
struct AgreedError : InvalidInput {
  using InvalidInput::InvalidInput;
};

struct CommCounts {
  Index rounds = 0;
  Index bytes = 0;

  friend CommCounts operator-(CommCounts a, const CommCounts& b) {
    a.rounds -= b.rounds;
    a.bytes -= b.bytes;
    return a;
  }
  bool operator==(const CommCounts&) const = default;
  void visit(StateArchive& a);  // every member (checkpoints)
};

class Comm {
 public:
  virtual ~Comm() = default;

  virtual int rank() const = 0;
  virtual int size() const = 0;
  virtual std::string name() const = 0;  // "serial", "mpi"

  // --- the method's communication, counted ----------------------------------------------
  // v = the sum over ranks of v, on every rank, in place.
  void allreduce_sum(std::span<double> v);
  // v = the mean over ranks of v (the sum divided by size()).
  void allreduce_mean(std::span<double> v);
  // v = root's v on every rank.
  void broadcast(std::span<double> v, int root = 0);
  // The same on the library's vectors.
  void allreduce_sum(Vec& v) { allreduce_sum(span_of(v)); }
  void allreduce_mean(Vec& v) { allreduce_mean(span_of(v)); }
  void broadcast(Vec& v, int root = 0) { broadcast(span_of(v), root); }

  // --- control, not counted ---------------------------------------------------------------
  // Collective: every rank passes its own error (or none); all get the lowest failing rank's
  // message, prefixed with "rank R: " when there is more than one rank, or none.
  std::optional<std::string> agree_on_error(const std::optional<std::string>& local);
  // Collective: agree_on_error, then throws AgreedError with the agreed message on every rank
  // when any rank failed. The step before a collective that a rank may fail alone (loading
  // its shard) ends with it, so that no rank is left waiting.
  void throw_if_any_failed(const std::optional<std::string>& local);
  // Collective: the sum over ranks of an integer (shard sizes, sample counts).
  Index sum_over_ranks(Index local);
  // Collective: the sum (mean) over ranks of v in place, NOT counted: what the run itself
  // needs besides the method (a sharded problem's constants, the exact diagnostics and the
  // metrics of the whole problem), which must not show in the method's cost.
  void uncounted_sum(std::span<double> v) { do_allreduce_sum(v); }
  void uncounted_mean(std::span<double> v);
  void uncounted_mean(Vec& v) { uncounted_mean(span_of(v)); }

  const CommCounts& counts() const { return counts_; }
  void reset_counts() { counts_ = {}; }

 protected:
  virtual void do_allreduce_sum(std::span<double> v) = 0;
  virtual void do_broadcast(std::span<double> v, int root) = 0;
  // The lowest rank whose `failed` is true, or -1 when none.
  virtual int do_lowest_failing(bool failed) = 0;
  // `text` as the rank `from` has it, on every rank.
  virtual std::string do_broadcast_text(const std::string& text, int from) = 0;
  virtual Index do_sum_index(Index local) = 0;

 private:
  static std::span<double> span_of(Vec& v) {
    return {v.data(), static_cast<std::size_t>(v.size())};
  }
  void count(std::span<const double> v);
  CommCounts counts_;
};

// One rank, no communication (the default of every run).
std::unique_ptr<Comm> make_serial_comm();

// True when the library was built with MPI.
bool mpi_built();

// True when this process was started by an MPI launcher (mpirun, srun with PMIx): the
// launcher's environment variables are set. Does not initialize MPI.
bool launched_by_mpi();
// This process's rank as the launcher set it in the environment (mpirun, srun), or -1 when it
// was not launched by one or is the only process. Does not initialize MPI (for messages printed before or after it).
int launcher_rank();

// For executables only (the library itself never ends a process): ends every rank of MPI's
// world with `exit_code` (MPI_Abort), for an error one rank has and the others cannot learn
// of because they wait in a collective. Without MPI running, ends this process.
[[noreturn]] void abort_world(int exit_code);

// MPI's world when the library is built with MPI and the process was launched by mpirun
// (initializing MPI on first use and finalizing it at exit); else a serial Comm. The same
// object for the whole process.
Comm& world_comm();

}  // namespace bilevel
