#include "bilevel/core/memory_budget.hpp"

#include <unistd.h>

#include <atomic>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <limits>

#include "bilevel/core/checked_size.hpp"
#include "bilevel/core/error.hpp"
#include "bilevel/core/parse.hpp"

namespace bilevel {

namespace {

constexpr std::int64_t kUnknown = std::numeric_limits<std::int64_t>::max();
std::atomic<std::int64_t> g_limit{0};
constexpr std::int64_t kUncheckedBytes = std::int64_t{64} << 20;

std::int64_t meminfo_available() {
  std::ifstream in("/proc/meminfo");
  std::string key;
  long long kib = 0;
  std::string unit;
  while (in >> key >> kib >> unit) {
    if (key == "MemAvailable:") return kib >= 0 ? static_cast<std::int64_t>(kib) * 1024 : -1;
  }
  return -1;
}

}  // namespace

std::int64_t available_memory() {
  if (const std::int64_t m = meminfo_available(); m >= 0) return m;
#if defined(_SC_AVPHYS_PAGES) && defined(_SC_PAGESIZE)
  const long pages = sysconf(_SC_AVPHYS_PAGES), page = sysconf(_SC_PAGESIZE);
  if (pages > 0 && page > 0) {
    if (const auto b = checked_mul(pages, page)) return *b;
  }
#endif
  return kUnknown;
}

void set_memory_limit(std::int64_t bytes) { g_limit.store(bytes > 0 ? bytes : 0); }

std::int64_t memory_limit() { return g_limit.load(); }

std::int64_t bytes_for(Index count, std::int64_t element_bytes) {
  return checked_mul(count, element_bytes).value_or(kUnknown);
}

void check_memory(std::string_view what, std::int64_t bytes) {
  const std::int64_t set = memory_limit();
  // Reading /proc/meminfo costs a few microseconds: small requests (per-iteration Hessian
  // blocks of small problems) skip it when no limit is set.
  if (set == 0 && bytes < kUncheckedBytes) return;
  const std::int64_t limit = set > 0 ? set : available_memory();
  if (bytes <= limit) return;
  const std::string size = bytes == kUnknown ? "more than 2^63 bytes" : format_bytes(bytes);
  const std::string budget =
      set > 0 ? "the --max-memory limit of " + format_bytes(limit)
              : "the " + format_bytes(limit) +
                    " this machine has available (MemAvailable; --max-memory sets a limit)";
  throw InvalidInput(std::string(what) + " needs " + size + " of memory, more than " + budget);
}

void check_problem_memory(std::string_view what, Index dim_x, Index dim_y,
                          std::int64_t extra_bytes) {
  const std::optional<Index> dim = checked_add(dim_x, dim_y);
  const std::int64_t vectors =
      dim ? bytes_for(*dim, kRunVectors * Index{sizeof(double)}) : kUnknown;
  check_memory(what, checked_add(vectors, extra_bytes).value_or(kUnknown));
}

std::string format_bytes(std::int64_t bytes) {
  static const char* const kUnits[] = {"B", "kB", "MB", "GB", "TB", "PB", "EB"};
  double v = static_cast<double>(bytes);
  int u = 0;
  while (std::fabs(v) >= 1000.0 && u < 6) {
    v /= 1000.0;
    ++u;
  }
  char buf[32];
  if (u == 0) std::snprintf(buf, sizeof buf, "%lld B", static_cast<long long>(bytes));
  else std::snprintf(buf, sizeof buf, "%.3g %s", v, kUnits[u]);
  return buf;
}

bool parse_memory_size(std::string_view text, std::int64_t* bytes) {
  if (text == "auto") {
    *bytes = 0;
    return true;
  }
  // An optional unit: B, K/KB/KiB, M/MB/MiB, G/GB/GiB, T/TB/TiB (case-insensitive).
  auto ends_with_ci = [&](std::string_view s) {
    if (text.size() < s.size()) return false;
    for (std::size_t i = 0; i < s.size(); ++i)
      if (std::toupper(static_cast<unsigned char>(text[text.size() - s.size() + i])) != s[i])
        return false;
    return true;
  };
  if (ends_with_ci("IB")) text.remove_suffix(2);
  else if (ends_with_ci("B")) text.remove_suffix(1);
  double scale = 1;
  if (!text.empty()) {
    switch (std::toupper(static_cast<unsigned char>(text.back()))) {
      case 'K': scale = 0x1p10; break;
      case 'M': scale = 0x1p20; break;
      case 'G': scale = 0x1p30; break;
      case 'T': scale = 0x1p40; break;
      default: break;
    }
    if (scale != 1) text.remove_suffix(1);
  }
  double v = 0;
  if (!parse_finite(text, &v) || v <= 0) return false;
  const double b = std::floor(v * scale);
  if (!(b >= 1) || b >= 0x1p62) return false;
  *bytes = static_cast<std::int64_t>(b);
  return true;
}

}  // namespace bilevel
