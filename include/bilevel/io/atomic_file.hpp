// Output files that are either complete or absent.
//
// A run can take minutes, and other tools read its trace and summary files, so a reader must
// never see a half-written file and a failed write must never damage an existing one. Content
// is written to a sibling temporary file `PATH.tmp.<pid>` (same directory, hence the same
// filesystem) and renamed over PATH only once it is complete; rename is atomic on POSIX.
#pragma once

#include <string>
#include <string_view>

namespace bilevel {

// Writes `content` to `path` atomically. On any failure removes the temporary file, leaves an
// existing `path` untouched and throws InvalidInput("cannot write <what> '<path>': <reason>").
// `what` names the file's role for the message, e.g. "trace file".
void write_file_atomically(const std::string& path, std::string_view content,
                           std::string_view what = "file");

// Fails fast, before a long computation, when write_file_atomically(path, ...) could not
// succeed: the directory is missing or not writable, or `path` is a directory. Probes by
// creating and removing the temporary file; `path` itself is never touched. Throws the same
// InvalidInput as write_file_atomically.
void check_writable(const std::string& path, std::string_view what = "file");

// The temporary file this process uses for `path`: "<path>.tmp.<pid>".
std::string temporary_path_for(const std::string& path);

}  // namespace bilevel
