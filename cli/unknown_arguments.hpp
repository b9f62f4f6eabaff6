// Clearer messages for command lines CLI11 rejects because of a misspelt word.
//
// CLI11 reports `bilevel run --max-iter 5` as "The following arguments were not expected: 5
// --max-iter". These functions find the word the user got wrong, an unknown command or flag,
// and name the closest known one (core/suggest.hpp).
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <string>
#include <vector>

namespace bilevel::cli {

// For a command line whose parse failed: "unknown command 'rn'; ...; did you mean 'run'?" when
// no command was recognised, or "unknown flag '--max-iter' for 'bilevel run'; did you mean
// '--max-iters'?" for the first word of `command` that looks like a flag and is none of its
// flags. nullopt when no such word is found (CLI11's own message is then the best there is).
// `args` are the words after the program name; `command` is the parsed subcommand or nullptr.
std::optional<std::string> explain_unknown_word(const CLI::App& app, const CLI::App* command,
                                                const std::vector<std::string>& args);

}  // namespace bilevel::cli
