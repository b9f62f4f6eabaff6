#include "progress_bar.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <utility>

namespace bilevel::cli {

namespace {

constexpr auto kMinRedrawInterval = std::chrono::milliseconds(100);
constexpr int kBarWidth = 20;

}  // namespace

bool progress_bar_wanted(bool quiet) { return !quiet && ::isatty(STDERR_FILENO) == 1; }

ProgressBar::ProgressBar(Index max_iters, std::FILE* out)
    : max_iters_(std::max<Index>(max_iters, 1)), out_(out) {}

ProgressBar::ProgressBar(Index total, std::string unit, std::FILE* out)
    : max_iters_(std::max<Index>(total, 1)), unit_(std::move(unit)), out_(out) {}

void ProgressBar::advance(Index done, double time_s) {
  IterRecord r;
  r.iter = done;
  r.time_s = time_s;
  observe(r);
}

Callback ProgressBar::callback() {
  return [this](const IterRecord& r, const Vec&, const Vec&) {
    observe(r);
    return Action::kContinue;
  };
}

void ProgressBar::observe(const IterRecord& r) {
  iter_ = r.iter;
  hypergrad_norm_ = r.hypergrad_norm;
  time_s_ = r.time_s;
  pending_ = true;
  const auto now = Clock::now();
  if (!started_ || now - last_draw_ >= kMinRedrawInterval) {
    last_draw_ = now;
    draw();
  }
}

void ProgressBar::draw() {
  const double fraction = std::clamp(static_cast<double>(iter_) / max_iters_, 0.0, 1.0);
  const int filled = static_cast<int>(fraction * kBarWidth);
  std::string bar(filled, '#');
  bar.append(kBarWidth - filled, '-');

  char norm[32];
  if (std::isnan(hypergrad_norm_))
    std::snprintf(norm, sizeof norm, "%s", "n/a");
  else
    std::snprintf(norm, sizeof norm, "%.3e", hypergrad_norm_);

  char line[160];
  const int n =
      unit_.empty()
          ? std::snprintf(line, sizeof line, "[%s] %6lld/%lld  ||grad phi|| %s  %.1f s",
                          bar.c_str(), static_cast<long long>(iter_),
                          static_cast<long long>(max_iters_), norm, time_s_)
          : std::snprintf(line, sizeof line, "[%s] %6lld/%lld %.20s  %.1f s", bar.c_str(),
                          static_cast<long long>(iter_), static_cast<long long>(max_iters_),
                          unit_.c_str(), time_s_);
  std::string text(line, static_cast<std::size_t>(std::clamp(n, 0, int(sizeof line) - 1)));
  // Blank out the tail of a longer previous line.
  const std::size_t width = text.size();
  if (width < last_width_) text.append(last_width_ - width, ' ');
  last_width_ = width;

  std::fputc('\r', out_);
  std::fputs(text.c_str(), out_);
  std::fflush(out_);
  started_ = true;
  pending_ = false;
}

void ProgressBar::finish() {
  if (finished_ || !started_) return;
  if (pending_) draw();
  std::fputc('\n', out_);
  std::fflush(out_);
  finished_ = true;
}

}  // namespace bilevel::cli
