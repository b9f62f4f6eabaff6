#include "bilevel/core/comm.hpp"

#include <cstdlib>
#include <stdexcept>

#include "bilevel/core/state_archive.hpp"

namespace bilevel {

void CommCounts::visit(StateArchive& a) { a("rounds", rounds)("bytes", bytes); }

void Comm::count(std::span<const double> v) {
  ++counts_.rounds;
  counts_.bytes += static_cast<Index>(v.size() * sizeof(double));
}

void Comm::allreduce_sum(std::span<double> v) {
  count(v);
  do_allreduce_sum(v);
}

void Comm::allreduce_mean(std::span<double> v) {
  allreduce_sum(v);
  const double inv = 1.0 / static_cast<double>(size());
  for (double& e : v) e *= inv;
}

void Comm::uncounted_mean(std::span<double> v) {
  do_allreduce_sum(v);
  const double inv = 1.0 / static_cast<double>(size());
  for (double& e : v) e *= inv;
}

void Comm::broadcast(std::span<double> v, int root) {
  if (root < 0 || root >= size())
    throw std::invalid_argument("Comm::broadcast: root " + std::to_string(root) +
                                " is not a rank of " + std::to_string(size()));
  count(v);
  do_broadcast(v, root);
}

std::optional<std::string> Comm::agree_on_error(const std::optional<std::string>& local) {
  const int failing = do_lowest_failing(local.has_value());
  if (failing < 0) return std::nullopt;
  const std::string text = do_broadcast_text(local.value_or(std::string()), failing);
  if (size() == 1) return text;
  return "rank " + std::to_string(failing) + ": " + text;
}

void Comm::throw_if_any_failed(const std::optional<std::string>& local) {
  if (const auto agreed = agree_on_error(local)) throw AgreedError(*agreed);
}

Index Comm::sum_over_ranks(Index local) { return do_sum_index(local); }

namespace {

class SerialComm final : public Comm {
 public:
  int rank() const override { return 0; }
  int size() const override { return 1; }
  std::string name() const override { return "serial"; }

 protected:
  void do_allreduce_sum(std::span<double>) override {}
  void do_broadcast(std::span<double>, int) override {}
  int do_lowest_failing(bool failed) override { return failed ? 0 : -1; }
  std::string do_broadcast_text(const std::string& text, int) override { return text; }
  Index do_sum_index(Index local) override { return local; }
};

}  // namespace

std::unique_ptr<Comm> make_serial_comm() { return std::make_unique<SerialComm>(); }

bool launched_by_mpi() {
  // Open MPI's mpirun, and PMIx/PMI launchers (srun, MPICH's hydra).
  for (const char* var : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_SIZE"})
    if (std::getenv(var) != nullptr) return true;
  return false;
}

int launcher_rank() {
  for (const char* var : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE"})
    if (const char* v = std::getenv(var); v && std::atoi(v) <= 1) return -1;
  for (const char* var : {"OMPI_COMM_WORLD_RANK", "PMIX_RANK", "PMI_RANK"})
    if (const char* v = std::getenv(var)) return std::atoi(v);
  return -1;
}

#ifndef BILEVEL_MPI
bool mpi_built() { return false; }

Comm& world_comm() {
  static const std::unique_ptr<Comm> serial = make_serial_comm();
  return *serial;
}

void abort_world(int exit_code) { std::_Exit(exit_code); }
#endif

}  // namespace bilevel
