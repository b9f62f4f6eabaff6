// A distributed run from C++, no shell script: the same program on every MPI rank, each
// holding its shard of learn-to-regularize on generated sparse text data (a LIBSVM file or
// fashion-mnist work the same: -P dataset=...), running distributed F2BA (the f2ba
// paper's Alg. 3). Started alone it is one rank (and the run is F2BA's on the whole problem);
// started by mpirun it is one of many:
//
//   mpirun -np 4 build-examples/distributed
//
// world_comm() starts MPI when the library was built with it and the program was launched by
// mpirun; shard_of() says which rows this rank loads; rank 0 prints.
#include <bilevel/core/comm.hpp>
#include <bilevel/registry.hpp>

#include <cstdio>
#include <exception>

using namespace bilevel;

int main() {
  Comm& ranks = world_comm();
  try {
    // This rank's shard: its block of the training, validation and test rows, loaded alone.
    auto problem = make_problem(
        "learnreg", {{"dataset", "synthetic-text:n=2000,d=600,nnz=20,classes=4"}, {"corrupt", "0.2"}},
        shard_of(ranks));
    RunSettings settings;
    settings.stopping.max_iters = 50;
    settings.comm = &ranks;  // the default: world_comm()
    const Result r = make_algorithm("dist-f2ba", {{"lam", "100"}})->solve(*problem, settings);
    if (ranks.rank() == 0)
      std::printf("ranks %d: phi %.10f, ||grad phi|| %.3e, val_loss %.6f, %lld rounds, %lld bytes\n",
                  ranks.size(), r.phi, r.hypergrad_norm, r.trace.records.back().metrics[0],
                  static_cast<long long>(r.comm.rounds), static_cast<long long>(r.comm.bytes));
  } catch (const AgreedError& e) {
    // Every rank has this error (one could not load its shard): all end here, rank 0 says why.
    if (ranks.rank() == 0) std::fprintf(stderr, "error: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    // This rank alone: the others may wait for it in a collective.
    std::fprintf(stderr, "error on rank %d: %s\n", ranks.rank(), e.what());
    abort_world(1);
  }
  return 0;
}
