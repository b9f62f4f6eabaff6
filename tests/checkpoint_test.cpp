// Checkpoints and resume (core/checkpoint.hpp): for every method, a run of N iterations equals
// a run checkpointed at k and resumed to N (trace, counts, iterates, counters, bit for bit but
// for times); doubles survive the text exactly; a checkpoint of another run, version or a
// damaged one is refused with one line.
#include "bilevel/core/checkpoint.hpp"

#include <gtest/gtest.h>

#include <bit>
#include <cstdint>
#include <cstring>
#include <limits>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "bilevel/core/error.hpp"
#include "bilevel/core/state_archive_text.hpp"
#include "bilevel/registry.hpp"

namespace bilevel {
namespace {

struct ResumeCase {
  std::string algo;
  std::string problem;
  KeyValues problem_options;
  KeyValues algo_options;
};

void PrintTo(const ResumeCase& c, std::ostream* os) { *os << c.algo << " on " << c.problem; }

// Bitwise equality, so that NaN equals NaN and -0 differs from 0.
bool same_bits(double a, double b) {
  return std::bit_cast<std::uint64_t>(a) == std::bit_cast<std::uint64_t>(b);
}

void expect_same_vec(const Vec& a, const Vec& b, const std::string& what) {
  ASSERT_EQ(a.size(), b.size()) << what;
  for (Index i = 0; i < a.size(); ++i)
    EXPECT_TRUE(same_bits(a(i), b(i))) << what << "(" << i << "): " << a(i) << " vs " << b(i);
}

void expect_same_runs(const Result& want, const Result& got) {
  EXPECT_EQ(want.status, got.status);
  EXPECT_EQ(want.message, got.message);
  EXPECT_EQ(want.iters, got.iters);
  EXPECT_EQ(want.counts, got.counts);
  expect_same_vec(want.x, got.x, "x");
  expect_same_vec(want.y, got.y, "y");
  EXPECT_TRUE(same_bits(want.phi, got.phi));
  EXPECT_TRUE(same_bits(want.hypergrad_norm, got.hypergrad_norm));
  EXPECT_EQ(want.options, got.options);
  EXPECT_EQ(want.method_counters, got.method_counters);
  EXPECT_EQ(want.warnings, got.warnings);
  ASSERT_EQ(want.trace.records.size(), got.trace.records.size());
  for (std::size_t i = 0; i < want.trace.records.size(); ++i) {
    const IterRecord& w = want.trace.records[i];
    const IterRecord& g = got.trace.records[i];
    const std::string row = "row " + std::to_string(i);
    EXPECT_EQ(w.iter, g.iter) << row;
    EXPECT_EQ(w.counts, g.counts) << row;
    EXPECT_TRUE(same_bits(w.phi, g.phi)) << row << ": phi " << w.phi << " vs " << g.phi;
    EXPECT_TRUE(same_bits(w.hypergrad_norm, g.hypergrad_norm))
        << row << ": ||grad phi|| " << w.hypergrad_norm << " vs " << g.hypergrad_norm;
    EXPECT_TRUE(same_bits(w.min_eig, g.min_eig)) << row;
    ASSERT_EQ(w.metrics.size(), g.metrics.size()) << row;
    for (std::size_t j = 0; j < w.metrics.size(); ++j)
      EXPECT_TRUE(same_bits(w.metrics[j], g.metrics[j])) << row << " metric " << j;
  }
}

// One case per method, stochastic where the method can be: oracle noise (quadratic's sigma)
// and minibatches where the method has them, so that the generator, the samplers'
// permutations and the held batches must all be restored.
std::vector<ResumeCase> resume_cases() {
  const KeyValues noisy = {{"sigma", "0.1"}};
  const KeyValues batches = {{"batch_f", "10"}, {"batch_g", "10"}};
  return {
      {"f2ba", "quadratic", noisy, {}},
      {"dist-f2ba", "quadratic", noisy, {}},
      {"dist-aid", "quadratic", noisy, {}},
      {"aggitd", "quadratic", noisy, {}},
      {"pf2ba", "saddle", {}, {}},
      {"f2sa", "quadratic", noisy, batches},
      {"f3sa", "quadratic", noisy, batches},
      {"f2sa-p", "quadratic", noisy, {{"S", "10"}, {"batch_y", "10"}}},
      {"prox-f2sa", "quadratic", noisy, batches},
      {"prox-f2sa",
       "quadratic",
       noisy,
       {{"variant", "single-loop"}, {"batch_f", "10"}, {"batch_g", "10"}}},
      {"fsba", "quadratic", noisy, {}},
      {"lfsba", "quadratic", noisy, {}},
      {"ifsba", "quadratic", noisy, {}},
      {"lmcn", "minimax-synthetic", {}, {}},
      {"aid-cg", "quadratic", noisy, {}},
      {"aid-ns", "quadratic", noisy, {}},
      {"itd", "quadratic", noisy, {}},
      {"stocbio", "quadratic", noisy, batches},
      {"mrbo", "quadratic", noisy, batches},
      {"vrbo",
       "quadratic",
       noisy,
       {{"batch_f", "10"}, {"batch_g", "10"}, {"batch_f_large", "50"}, {"batch_g_large", "50"}}},
      {"soba", "quadratic", noisy, batches},
      {"bome", "quadratic", noisy, batches},
      {"baseline", "quadratic", noisy, {}},
  };
}

RunSettings settings_for(Index max_iters) {
  RunSettings s;
  s.seed = 11;
  s.stopping.max_iters = max_iters;
  s.log_every = 2;  // the checkpoint at an odd k falls between two records
  return s;
}

class ResumeEqualsUninterrupted : public ::testing::TestWithParam<ResumeCase> {};

TEST_P(ResumeEqualsUninterrupted, TraceCountsAndStateAgree) {
  const ResumeCase& c = GetParam();
  const Index N = 13, every = 5;
  auto algo = make_algorithm(c.algo, c.algo_options);

  auto straight_problem = make_problem(c.problem, c.problem_options);
  const Result straight = algo->solve(*straight_problem, settings_for(N));

  // The first run stops at k = 7 (its limit) after checkpoints at 5; the checkpoint of 5 is
  // resumed, so that iterations 6 and 7 run twice and must agree.
  std::vector<Checkpoint> taken;
  RunSettings first = settings_for(7);
  first.checkpoint.every = every;
  first.checkpoint.write = [&](const Checkpoint& cp) { taken.push_back(cp); };
  auto first_problem = make_problem(c.problem, c.problem_options);
  algo->solve(*first_problem, first);
  ASSERT_EQ(taken.size(), 1u);

  RunSettings resumed_settings = settings_for(N);
  resumed_settings.resume = &taken[0];
  auto resumed_problem = make_problem(c.problem, c.problem_options);
  const Result resumed = algo->solve(*resumed_problem, resumed_settings);
  expect_same_runs(straight, resumed);
}

INSTANTIATE_TEST_SUITE_P(EveryMethod, ResumeEqualsUninterrupted,
                         ::testing::ValuesIn(resume_cases()), [](const auto& info) {
                           std::string name = info.param.algo + "_" + std::to_string(info.index);
                           for (char& ch : name)
                             if (ch == '-') ch = '_';
                           return name;
                         });

// Every registered method has a case above: a new method cannot go untested.
TEST(ResumeEqualsUninterrupted, CoversEveryRegisteredMethod) {
  for (const auto& entry : algorithm_registry()) {
    bool found = false;
    for (const ResumeCase& c : resume_cases()) found = found || c.algo == entry.name;
    EXPECT_TRUE(found) << entry.name << " has no resume case in tests/checkpoint_test.cpp";
  }
}

// The interruption's checkpoint: taken when the flag is seen, resumable, and the resumed trace
// lacks the interrupted run's extra record.
TEST(Checkpoint, InterruptedRunResumesToTheUninterruptedTrace) {
  auto algo = make_algorithm("stocbio", {{"batch_f", "10"}, {"batch_g", "10"}});
  auto p1 = make_problem("quadratic", {{"sigma", "0.1"}});
  const Result straight = algo->solve(*p1, settings_for(10));

  std::atomic<bool> interrupt{false};
  std::optional<Checkpoint> taken;
  RunSettings s = settings_for(10);
  s.interrupt = &interrupt;
  s.checkpoint.write = [&](const Checkpoint& cp) { taken = cp; };
  s.callbacks.push_back([&](const IterRecord& r, const Vec&, const Vec&) {
    if (r.iter == 2) interrupt = true;  // seen after step 3, an odd iteration
    return Action::kContinue;
  });
  auto p2 = make_problem("quadratic", {{"sigma", "0.1"}});
  const Result interrupted = algo->solve(*p2, s);
  EXPECT_EQ(interrupted.status, Status::kInterrupted);
  EXPECT_STREQ(to_string(interrupted.status), "interrupted");
  EXPECT_EQ(interrupted.iters, 3);
  EXPECT_EQ(interrupted.trace.records.back().iter, 3);  // the last state is logged
  ASSERT_TRUE(taken.has_value());

  RunSettings r = settings_for(10);
  r.resume = &*taken;
  auto p3 = make_problem("quadratic", {{"sigma", "0.1"}});
  expect_same_runs(straight, algo->solve(*p3, r));
}

TEST(Checkpoint, DoublesSurviveTheTextBitForBit) {
  std::vector<double> values = {0.0,
                                -0.0,
                                1.0 / 3.0,
                                0.1,
                                std::numeric_limits<double>::max(),
                                std::numeric_limits<double>::lowest(),
                                std::numeric_limits<double>::min(),
                                std::numeric_limits<double>::denorm_min(),
                                std::numeric_limits<double>::epsilon(),
                                std::numeric_limits<double>::infinity(),
                                -std::numeric_limits<double>::infinity(),
                                std::numeric_limits<double>::quiet_NaN()};
  std::mt19937_64 bits(42);
  while (values.size() < 10000) {
    const double v = std::bit_cast<double>(bits());
    if (!std::isnan(v)) values.push_back(v);  // every exponent, subnormals included
  }
  Vec v = Eigen::Map<Vec>(values.data(), static_cast<Index>(values.size()));
  double scalar = 0.1 + 0.2;
  Rng rng(7);
  rng.discard(12345);
  StateArchive save;
  save("v", v)("scalar", scalar)("rng", rng);

  Vec back;
  double scalar_back = 0;
  Rng rng_back;
  StateArchive load = archive_from_text(archive_text(save));
  load("v", back)("scalar", scalar_back)("rng", rng_back);
  expect_same_vec(v, back, "v");
  EXPECT_TRUE(same_bits(scalar, scalar_back));
  EXPECT_EQ(rng(), rng_back());  // the engine's whole state, not just its next draw
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(rng(), rng_back());
}

TEST(Checkpoint, LoadingAMissingMemberNamesIt) {
  StateArchive save;
  Index k = 3;
  save("k", k);
  StateArchive load = archive_from_text(archive_text(save));
  Vec x;
  try {
    load("x", x);
    FAIL() << "no error";
  } catch (const InvalidInput& e) {
    EXPECT_NE(std::string(e.what()).find("'x'"), std::string::npos) << e.what();
  }
}

// A checkpoint of f2ba on quadratic after 3 iterations, and the settings to resume it.
Checkpoint quadratic_checkpoint() {
  std::optional<Checkpoint> taken;
  RunSettings s = settings_for(3);
  s.checkpoint.every = 3;
  s.checkpoint.write = [&](const Checkpoint& cp) { taken = cp; };
  auto p = make_problem("quadratic", {});
  make_algorithm("f2ba", {})->solve(*p, s);
  taken->origin = "ck.json";
  return *taken;
}

// The message of resuming `cp` with f2ba (options `algo_kv`) on quadratic (`problem_kv`).
std::string refusal(const Checkpoint& cp, const KeyValues& algo_kv = {},
                    const KeyValues& problem_kv = {}, std::uint64_t seed = 11,
                    const std::string& algo = "f2ba") {
  RunSettings s = settings_for(6);
  s.seed = seed;
  s.resume = &cp;
  auto p = make_problem("quadratic", problem_kv);
  try {
    make_algorithm(algo, algo_kv)->solve(*p, s);
  } catch (const InvalidInput& e) {
    const std::string m = e.what();
    EXPECT_EQ(m.find('\n'), std::string::npos) << m;
    return m;
  }
  return "(accepted)";
}

std::uint64_t fnv1a64(std::string_view text) {
  std::uint64_t h = 14695981039346656037ULL;
  for (const unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h;
}

// `cp` with `from` replaced by `to` in its text and the checksum recomputed: a well-formed
// checkpoint that differs in one field.
Checkpoint rewritten(const Checkpoint& cp, const std::string& from, const std::string& to) {
  std::string text = cp.text;
  const auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  text.replace(at, from.size(), to);
  const auto sum = text.rfind(",\"checksum\":\"");
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx",
                static_cast<unsigned long long>(fnv1a64(std::string_view(text).substr(0, sum))));
  text = text.substr(0, sum) + ",\"checksum\":\"fnv1a64:" + hex + "\"}\n";
  return {text, cp.origin};
}

TEST(Checkpoint, ResumesItsOwnRun) { EXPECT_EQ(refusal(quadratic_checkpoint()), "(accepted)"); }

TEST(Checkpoint, RefusesAnotherAlgorithm) {
  const std::string m = refusal(quadratic_checkpoint(), {}, {}, 11, "aid-cg");
  EXPECT_NE(m.find("checkpoint 'ck.json' is a run of f2ba on quadratic; this run is aid-cg"),
            std::string::npos)
      << m;
}

TEST(Checkpoint, RefusesAnotherProblemOption) {
  const std::string m = refusal(quadratic_checkpoint(), {}, {{"dx", "7"}});
  EXPECT_NE(m.find("problem option dx="), std::string::npos) << m;
}

TEST(Checkpoint, RefusesAnotherAlgorithmOption) {
  const std::string m = refusal(quadratic_checkpoint(), {{"K", "3"}});
  EXPECT_NE(m.find("f2ba option K=10; this run has K=3"), std::string::npos) << m;
}

TEST(Checkpoint, RefusesAnotherSeed) {
  const std::string m = refusal(quadratic_checkpoint(), {}, {}, 12);
  EXPECT_NE(m.find("setting seed=11; this run has seed=12"), std::string::npos) << m;
}

TEST(Checkpoint, RefusesAnotherVersion) {
  const Checkpoint cp = quadratic_checkpoint();
  const std::string version = std::string("\"bilevel_version\":\"") + library_version() + "\"";
  const std::string m = refusal(rewritten(cp, version, "\"bilevel_version\":\"0.0.1\""));
  EXPECT_NE(m.find("was written by bilevel 0.0.1; this is bilevel"), std::string::npos) << m;
}

TEST(Checkpoint, RefusesAnotherFormatVersion) {
  const std::string m =
      refusal(rewritten(quadratic_checkpoint(), "\"format_version\":1", "\"format_version\":2"));
  EXPECT_NE(m.find("has format version 2"), std::string::npos) << m;
}

TEST(Checkpoint, RefusesACorruptedOne) {
  Checkpoint cp = quadratic_checkpoint();
  const auto at = cp.text.find("\"iteration\":3");
  ASSERT_NE(at, std::string::npos);
  cp.text[at + 12] = '2';  // a valid document, but not the one written
  const std::string m = refusal(cp);
  EXPECT_NE(m.find("checkpoint 'ck.json' is corrupted or truncated"), std::string::npos) << m;
}

TEST(Checkpoint, RefusesATruncatedOne) {
  Checkpoint cp = quadratic_checkpoint();
  cp.text.resize(cp.text.size() / 2);
  const std::string m = refusal(cp);
  EXPECT_NE(m.find("checkpoint 'ck.json'"), std::string::npos) << m;
  EXPECT_NE(m.find("truncated"), std::string::npos) << m;
}

TEST(Checkpoint, RefusesSomethingElse) {
  const std::string m = refusal(Checkpoint{"{\"hello\": 1}", "ck.json"});
  EXPECT_NE(m.find("is not a bilevel checkpoint"), std::string::npos) << m;
}

TEST(Checkpoint, RefusesAStateWithAMissingMember) {
  // Well-formed, right version and identity, but the method's state lacks a member.
  const std::string m =
      refusal(rewritten(quadratic_checkpoint(), "\"inner_steps\":", "\"inner_stepz\":"));
  EXPECT_NE(m.find("lacks 'method.iteration.inner_steps'"), std::string::npos) << m;
}

TEST(Checkpoint, EveryWithoutAWriterIsRefused) {
  RunSettings s;
  s.checkpoint.every = 3;
  auto p = make_problem("quadratic", {});
  EXPECT_THROW(make_algorithm("f2ba", {})->solve(*p, s), InvalidInput);
}

}  // namespace
}  // namespace bilevel
