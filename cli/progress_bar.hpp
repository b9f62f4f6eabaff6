// A one-line progress display on stderr, fed by the run's callbacks:
//
//     [########------------]  412/1000  ||grad phi|| 3.217e-04  1.8 s
//
// Redrawn in place with '\r' at most ten times a second (a terminal cannot show more, and
// drawing every iteration of a fast method would cost more than the method), and ended with a
// newline by finish(). Only meant for a terminal: see progress_bar_wanted().
//
// A bar counting something other than iterations (compare's runs) names its unit and is fed
// by advance() instead of a run's callback:
//
//     [########------------]      8/20 runs  41.3 s
#pragma once

#include <chrono>
#include <cstdio>
#include <string>

#include "bilevel/core/algorithm.hpp"

namespace bilevel::cli {

// True when stderr is a terminal and the user did not ask for quiet.
bool progress_bar_wanted(bool quiet);

class ProgressBar {
 public:
  explicit ProgressBar(Index max_iters, std::FILE* out = stderr);
  // A bar of `total` units of `unit` ("runs"), without the ||grad phi|| field.
  ProgressBar(Index total, std::string unit, std::FILE* out = stderr);
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;
  ~ProgressBar() { finish(); }

  // The callback to add to RunSettings. It refers to this object, which must outlive the run.
  Callback callback();

  // `done` units so far, after `time_s` seconds (the unit constructor's bars).
  void advance(Index done, double time_s);

  // Draws the last state seen and ends the line. Idempotent; a no-op if nothing was drawn.
  void finish();

 private:
  using Clock = std::chrono::steady_clock;

  void observe(const IterRecord& r);
  void draw();

  Index max_iters_;
  std::string unit_;  // empty: iterations, with ||grad phi||
  std::FILE* out_;
  // The latest record seen, and whether it has been drawn yet.
  Index iter_ = 0;
  double hypergrad_norm_ = 0;
  double time_s_ = 0;
  bool pending_ = false;
  bool started_ = false;
  bool finished_ = false;
  std::size_t last_width_ = 0;
  Clock::time_point last_draw_{};
};

}  // namespace bilevel::cli
