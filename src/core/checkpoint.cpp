#include <cstdint>
#include <cstdio>

#include "bilevel/core/error.hpp"
#include "checkpoint_format.hpp"

#ifndef BILEVEL_LIB_VERSION
#error "BILEVEL_LIB_VERSION must be defined (CMakeLists.txt)"
#endif

namespace bilevel {

using json = nlohmann::json;

const char* library_version() { return BILEVEL_LIB_VERSION; }

namespace {

constexpr const char* kFormatName = "bilevel-checkpoint";
constexpr std::string_view kChecksumKey = ",\"checksum\":\"";
constexpr std::string_view kChecksumPrefix = "fnv1a64:";

std::string fnv1a64(std::string_view text) {
  std::uint64_t h = 14695981039346656037ULL;
  for (const unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(h));
  return hex;
}

std::string named(const std::string& origin) {
  return origin.empty() ? "checkpoint" : "checkpoint '" + origin + "'";
}

std::string text_of(const json& j) { return j.is_string() ? j.get<std::string>() : j.dump(); }

// The first key whose value differs between two {name: text} objects, as
// "<what> name=A, this run name=B".
void compare_values(const json& saved, const json& now, const std::string& what,
                    const std::string& origin) {
  for (const auto& [key, value] : now.items()) {
    const auto it = saved.find(key);
    const std::string had = it == saved.end() ? "(absent)" : text_of(*it);
    if (it == saved.end() || *it != value)
      throw InvalidInput(named(origin) + " was written with " + what + " " + key + "=" + had +
                         "; this run has " + key + "=" + text_of(value) +
                         " (resume with the same options and settings)");
  }
  for (const auto& [key, value] : saved.items())
    if (!now.contains(key))
      throw InvalidInput(named(origin) + " was written with " + what + " " + key + "=" +
                         text_of(value) + ", which this run does not have");
}

}  // namespace

Checkpoint encode_checkpoint(const CheckpointIdentity& id, const json& state) {
  json doc = {{"format", kFormatName},
              {"format_version", kCheckpointFormatVersion},
              {"bilevel_version", library_version()},
              {"algorithm", id.algorithm},
              {"options", id.options},
              {"problem", id.problem},
              {"problem_options", id.problem_options},
              {"settings", id.settings},
              {"state", state}};
  std::string text = doc.dump();
  text.pop_back();  // the closing brace: the checksum comes last
  const std::string sum = fnv1a64(text);
  text += std::string(kChecksumKey) + std::string(kChecksumPrefix) + sum + "\"}\n";
  return {std::move(text), ""};
}

json decode_checkpoint(const Checkpoint& c) {
  const std::string who = named(c.origin);
  const std::size_t at = c.text.rfind(kChecksumKey);
  if (at == std::string::npos)
    throw InvalidInput(who + " is not a bilevel checkpoint, or is truncated (no checksum)");
  const std::string_view rest = std::string_view(c.text).substr(at + kChecksumKey.size());
  const std::string expected = fnv1a64(std::string_view(c.text).substr(0, at));
  if (rest.substr(0, kChecksumPrefix.size()) != kChecksumPrefix ||
      rest.substr(kChecksumPrefix.size(), 16) != expected)
    throw InvalidInput(who + " is corrupted or truncated: its checksum does not match");
  json doc;
  try {
    doc = json::parse(c.text);
  } catch (const json::exception&) {
    throw InvalidInput(who + " is corrupted: it is not valid JSON");
  }
  if (!doc.is_object() || doc.value("format", "") != kFormatName)
    throw InvalidInput(who + " is not a bilevel checkpoint");
  const json version = doc.value("format_version", json());
  if (version != kCheckpointFormatVersion)
    throw InvalidInput(who + " has format version " + text_of(version) + "; this bilevel reads " +
                       std::to_string(kCheckpointFormatVersion));
  const std::string written_by = doc.value("bilevel_version", "(unknown)");
  if (written_by != library_version())
    throw InvalidInput(who + " was written by bilevel " + written_by + "; this is bilevel " +
                       library_version() + " (resume with the version that wrote it)");
  for (const char* key : {"algorithm", "problem"})
    if (!doc.contains(key) || !doc[key].is_string())
      throw InvalidInput(who + " lacks its " + key + " name");
  for (const char* key : {"options", "problem_options", "settings", "state"})
    if (!doc.contains(key) || !doc[key].is_object()) throw InvalidInput(who + " lacks its " + key);
  return doc;
}

void check_identity(const json& doc, const CheckpointIdentity& expected, const std::string& origin,
                    bool options_known) {
  const std::string algorithm = doc["algorithm"].get<std::string>();
  const std::string problem = doc["problem"].get<std::string>();
  if (algorithm != expected.algorithm || problem != expected.problem)
    throw InvalidInput(named(origin) + " is a run of " + algorithm + " on " + problem +
                       "; this run is " + expected.algorithm + " on " + expected.problem);
  compare_values(doc["problem_options"], expected.problem_options, "problem option", origin);
  compare_values(doc["settings"], expected.settings, "setting", origin);
  if (options_known)
    compare_values(doc["options"], expected.options, algorithm + " option", origin);
}

}  // namespace bilevel
