#include "unknown_arguments.hpp"

#include <algorithm>
#include <cctype>

#include "bilevel/core/suggest.hpp"

namespace bilevel::cli {

namespace {

// Every spelling of every flag of `command`: "--max-iters", "-A", "--help", ...
std::vector<std::string> flag_names(const CLI::App& command) {
  std::vector<std::string> names;
  for (const CLI::Option* opt : command.get_options()) {
    for (const std::string& l : opt->get_lnames()) names.push_back("--" + l);
    for (const std::string& s : opt->get_snames()) names.push_back("-" + s);
  }
  return names;
}

// "-1", "-1e-3", "-.5": a negative number given as a value, not a flag.
bool is_negative_number(const std::string& word) {
  return word.size() > 1 && word[0] == '-' &&
         (std::isdigit(static_cast<unsigned char>(word[1])) || word[1] == '.');
}

// The flag a word names, without an attached "=value"; empty for a word that is no flag ("-"
// alone is the standard-output file name, "lam=3" a value).
std::string flag_of(const std::string& word) {
  if (word.size() < 2 || word[0] != '-' || is_negative_number(word)) return "";
  if (word[1] != '-') return word.substr(0, 2);  // -A, or -Alam=3 with its value attached
  return word.substr(0, word.find('='));
}

std::optional<std::string> unknown_command(const CLI::App& app,
                                           const std::vector<std::string>& args) {
  std::vector<std::string> commands;
  for (const CLI::App* sub : app.get_subcommands({})) commands.push_back(sub->get_name());
  for (const std::string& word : args) {
    if (word.empty() || word[0] == '-') continue;
    if (std::find(commands.begin(), commands.end(), word) != commands.end()) return std::nullopt;
    std::string known;
    for (const auto& c : commands) known += (known.empty() ? "" : ", ") + c;
    return "unknown command '" + word + "'; known commands: " + known +
           did_you_mean(word, commands) + " (see 'bilevel --help')";
  }
  return std::nullopt;
}

// The first word of `words` that looks like a flag and is none of `command`'s flags.
std::optional<std::string> unknown_flag(const CLI::App& command, const std::string& path,
                                        const std::vector<std::string>& words) {
  const std::vector<std::string> known = flag_names(command);
  for (const std::string& word : words) {
    if (word == "--") break;  // everything after it is a value
    const std::string flag = flag_of(word);
    if (flag.empty() || std::find(known.begin(), known.end(), flag) != known.end()) continue;
    return "unknown flag '" + flag + "' for '" + path + "'" + did_you_mean(flag, known) +
           " (see '" + path + " --help')";
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> explain_unknown_word(const CLI::App& app, const CLI::App* command,
                                                const std::vector<std::string>& args) {
  if (command == nullptr) {
    if (auto explained = unknown_command(app, args)) return explained;
    return unknown_flag(app, "bilevel", args);  // e.g. bilevel --versoin
  }
  // The words after the command's name.
  const auto name = std::find(args.begin(), args.end(), command->get_name());
  const std::vector<std::string> words(name == args.end() ? args.end() : name + 1, args.end());
  return unknown_flag(*command, "bilevel " + command->get_name(), words);
}

}  // namespace bilevel::cli
