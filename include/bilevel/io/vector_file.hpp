// Vectors in files: a starting point given by the user (`--x0`, `--y0`: a pretrained
// classifier, a previous run's result) and the iterates a run writes (`--save-x`, `--save-y`,
// `--save-history`).
//
// Two formats, chosen by the content when reading and by the name when writing:
// - NumPy's .npy (format versions 1, 2 and 3): a float64 or float32 array, either byte order,
//   of shape (n,), (n, 1) or (1, n). Written as version 1.0, little-endian float64, shape
//   (n,): np.load gives back the exact doubles.
// - text: one number per line, blank lines and lines starting with '#' skipped (plain or gzip,
//   CRLF and a byte order mark accepted, as the data loaders do). Written with the shortest
//   decimal that reads back to the same double, so a written file also round-trips bit for bit.
// Non-finite values are refused on reading: a NaN starting point is a mistake, not a choice.
#pragma once

#include <string>
#include <vector>

#include "bilevel/core/types.hpp"

namespace bilevel {

// Reads a vector. `what` names the file's role in errors ("--x0 file"). Throws InvalidInput
// with one line naming the file (and the line, for text): unreadable, malformed header, an
// unsupported dtype or shape, truncated or trailing data, a non-finite value, or more data
// than the memory budget allows.
Vec read_vector_file(const std::string& path, const std::string& what);

// read_vector_file, then checks the length: InvalidInput "<what> '<path>' has N values; the
// problem's <name> has dimension D" otherwise.
Vec read_vector_file(const std::string& path, const std::string& what, Index dim,
                     const std::string& name);

// Whether `path` names a .npy file (by its extension, case-insensitive): how the writers
// choose the format.
bool is_npy_path(const std::string& path);

// Writes `v` atomically (write_file_atomically): .npy when the name ends in .npy, text
// otherwise. Throws InvalidInput naming `what` when it cannot be written.
void write_vector_file(const Vec& v, const std::string& path, const std::string& what);

// A run's history of one iterate: row k is (iteration, v_1, ..., v_d) of the k-th saved
// iterate. Written as a 2-D float64 .npy of shape (rows, d + 1) when the name ends in .npy,
// else as CSV with the header "iter,v1,...,vd" and round-trip decimals.
void write_history_file(const std::vector<Index>& iters, const std::vector<Vec>& values,
                        const std::string& path, const std::string& what);

}  // namespace bilevel
