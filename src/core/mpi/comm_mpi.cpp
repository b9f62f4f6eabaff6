// The MPI implementation of Comm (comm.hpp): MPI_COMM_WORLD, compiled only when the library is
// built with MPI (BILEVEL_MPI). The only file of the library that includes mpi.h.
#include <mpi.h>

#include <cstdlib>
#include <limits>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "bilevel/core/comm.hpp"
#include "bilevel/core/error.hpp"

namespace bilevel {

namespace {

// MPI counts are int: longer vectors go in pieces of at most 2^30 elements.
constexpr std::size_t kPiece = std::size_t{1} << 30;

void check(int code, const char* what) {
  if (code == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING];
  int length = 0;
  MPI_Error_string(code, text, &length);
  throw std::runtime_error(std::string("MPI ") + what + " failed: " + std::string(text, length));
}

class MpiComm final : public Comm {
 public:
  MpiComm() {
    int initialized = 0;
    MPI_Initialized(&initialized);
    if (!initialized) {
      // Threads: only the calling thread communicates (OpenMP regions never call MPI).
      int provided = 0;
      check(MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided), "init");
      owns_ = true;
    }
    // Errors come back as codes (turned into exceptions), never as an abort of the process.
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &size_);
  }
  ~MpiComm() override {
    int finalized = 0;
    MPI_Finalized(&finalized);
    if (owns_ && !finalized) MPI_Finalize();
  }
  MpiComm(const MpiComm&) = delete;
  MpiComm& operator=(const MpiComm&) = delete;

  int rank() const override { return rank_; }
  int size() const override { return size_; }
  std::string name() const override { return "mpi"; }

 protected:
  void do_allreduce_sum(std::span<double> v) override {
    for (std::size_t at = 0; at < v.size(); at += kPiece) {
      const int count = static_cast<int>(std::min(kPiece, v.size() - at));
      check(MPI_Allreduce(MPI_IN_PLACE, v.data() + at, count, MPI_DOUBLE, MPI_SUM,
                          MPI_COMM_WORLD),
            "allreduce");
    }
  }
  void do_broadcast(std::span<double> v, int root) override {
    for (std::size_t at = 0; at < v.size(); at += kPiece) {
      const int count = static_cast<int>(std::min(kPiece, v.size() - at));
      check(MPI_Bcast(v.data() + at, count, MPI_DOUBLE, root, MPI_COMM_WORLD), "broadcast");
    }
  }
  int do_lowest_failing(bool failed) override {
    int mine = failed ? rank_ : std::numeric_limits<int>::max(), lowest = 0;
    check(MPI_Allreduce(&mine, &lowest, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD), "allreduce");
    return lowest == std::numeric_limits<int>::max() ? -1 : lowest;
  }
  std::string do_broadcast_text(const std::string& text, int from) override {
    long long length = rank_ == from ? static_cast<long long>(text.size()) : 0;
    check(MPI_Bcast(&length, 1, MPI_LONG_LONG, from, MPI_COMM_WORLD), "broadcast");
    std::string out = rank_ == from ? text : std::string(static_cast<std::size_t>(length), ' ');
    // Messages are one line: a few hundred bytes, far below MPI's int counts.
    check(MPI_Bcast(out.data(), static_cast<int>(length), MPI_CHAR, from, MPI_COMM_WORLD),
          "broadcast");
    return out;
  }
  Index do_sum_index(Index local) override {
    long long mine = local, sum = 0;
    check(MPI_Allreduce(&mine, &sum, 1, MPI_LONG_LONG, MPI_SUM, MPI_COMM_WORLD), "allreduce");
    return static_cast<Index>(sum);
  }

 private:
  int rank_ = 0, size_ = 1;
  bool owns_ = false;
};

}  // namespace

bool mpi_built() { return true; }

void abort_world(int exit_code) {
  int initialized = 0, finalized = 0;
  MPI_Initialized(&initialized);
  MPI_Finalized(&finalized);
  if (initialized && !finalized) MPI_Abort(MPI_COMM_WORLD, exit_code);
  std::_Exit(exit_code);
}

Comm& world_comm() {
  // Built once, on first use; destroyed (finalizing MPI) when the process exits normally.
  static const std::unique_ptr<Comm> world =
      launched_by_mpi() ? std::unique_ptr<Comm>(std::make_unique<MpiComm>()) : make_serial_comm();
  return *world;
}

}  // namespace bilevel
