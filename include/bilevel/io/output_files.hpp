// The output files of one command, checked together before any computation.
//
// A command that writes several files (a trace and a summary; a CSV, a summary and a plot)
// must not find out after an hour of work that one of them cannot be written, nor write two
// of them to one file, where the last would silently replace the first. "-" (the standard
// output) may be given to one of them only.
#pragma once

#include <string>
#include <vector>

namespace bilevel {

struct OutputFile {
  std::string flag;  // how the user named it, for messages: "--trace"
  std::string path;  // empty: not requested
  std::string what;  // its role, for messages: "trace file"
};

// Throws InvalidInput (one line naming the flags) when two requested outputs name the same
// file (canonical_output_path, or the same file under two names, such as a hard link), when
// more than one is "-", or when one cannot be written (check_writable). Unrequested outputs
// (empty path) are skipped.
void check_output_files(const std::vector<OutputFile>& outputs);

// Whether a requested output is the standard output: the human-readable report then goes to
// the standard error, so that the data on the standard output stays clean.
bool writes_standard_output(const std::vector<OutputFile>& outputs);

}  // namespace bilevel
