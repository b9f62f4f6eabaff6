// Output files that are either complete or absent, and that never clobber what they should not.
//
// A run can take minutes, and other tools read its trace and summary files, so a reader must
// never see a half-written file and a failed write must never damage an existing one. Content
// is written to a new temporary file beside the target (same directory, hence the same
// filesystem) and renamed over the target only once it is complete and flushed; rename is
// atomic on POSIX.
//
// What may be replaced (docs/cli.md, "Output files"):
// - a new path, or an existing regular file the user may write. The replacement keeps the
//   file's permission bits (and, where the process may set them, its owner and group). A file
//   without any write permission bit (e.g. 0444) is refused, even for root: read-only is a
//   statement that the file is not to be replaced.
// - a symbolic link is followed: the regular file it points to is replaced (through the same
//   checks), the link itself is kept. A link to a missing file is refused.
// - anything else (a directory, a device such as /dev/null, a FIFO, a socket) is refused.
// - "-" names the standard output: the content is written there, not to a file.
#pragma once

#include <string>
#include <string_view>

namespace bilevel {

// The output path that means "standard output".
inline constexpr std::string_view kStandardOutput = "-";
inline bool is_standard_output(std::string_view path) { return path == kStandardOutput; }

// Writes `content` to `path` atomically (or to standard output for "-"). On any failure
// removes the temporary file, leaves an existing `path` untouched and throws
// InvalidInput("cannot write <what> '<path>': <reason>"). `what` names the file's role for the
// message, e.g. "trace file".
void write_file_atomically(const std::string& path, std::string_view content,
                           std::string_view what = "file");

// Fails fast, before a long computation, when write_file_atomically(path, ...) could not
// succeed: the directory is missing or not writable, or `path` names something that may not
// be replaced (see above). Probes by creating and removing a temporary file; `path` itself is
// never touched. Throws the same InvalidInput as write_file_atomically. "-" always passes.
void check_writable(const std::string& path, std::string_view what = "file");

// A file name beside `path` for this process's own scratch use: "<path>.tmp.<pid>".
std::string temporary_path_for(const std::string& path);

// The one spelling of the file `path` names, for telling whether two outputs are the same
// file: an existing file (or a link to one) by its canonical path; a new file by its resolved
// directory (std::filesystem::weakly_canonical) and its name. "t.csv", "./t.csv" and
// "dir/../t.csv" all give the same result, whether the file exists or not. "-" gives "-".
std::string canonical_output_path(const std::string& path);

}  // namespace bilevel
