// The checkpoint document (checkpoint.hpp): its header, its checksum and its checks.
//
//   {"format":"bilevel-checkpoint","format_version":1,"bilevel_version":"0.1.0",
//    "algorithm":...,"options":{...},"problem":...,"problem_options":{...},"settings":{...},
//    "state":{...},"checksum":"fnv1a64:<16 hex digits>"}
//
// The checksum is FNV-1a (64 bits) of the text before `,"checksum"` and is written last, so a
// truncated file fails it as well as a changed byte.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "bilevel/core/checkpoint.hpp"

namespace bilevel {

// What a checkpoint must agree on with the run that resumes from it. Options and settings
// are {name: text}.
struct CheckpointIdentity {
  std::string algorithm;
  nlohmann::json options = nlohmann::json::object();
  std::string problem;
  nlohmann::json problem_options = nlohmann::json::object();
  nlohmann::json settings = nlohmann::json::object();
};

Checkpoint encode_checkpoint(const CheckpointIdentity& id, const nlohmann::json& state);

// The parsed document, after checking that it is one (format, checksum, format version and
// bilevel version). Throws InvalidInput with one line naming the checkpoint's origin.
nlohmann::json decode_checkpoint(const Checkpoint& c);

// Throws InvalidInput naming the first difference between the checkpoint and `expected`
// (algorithm, problem, then each option and setting). With `options_known` false only the
// names are compared (the run's options resolve later).
void check_identity(const nlohmann::json& doc, const CheckpointIdentity& expected,
                    const std::string& origin, bool options_known);

}  // namespace bilevel
