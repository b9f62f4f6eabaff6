// The files of a comparison (`bilevel compare --out DIR`, docs/cli.md):
//
//   runs.csv      every trace record of every run: method,algo,seed, then the trace columns
//                 (io/trace_writer.hpp; comm_rounds,comm_bytes when a method communicates)
//   bands.csv     the resampled grid: method,x, then per y column <y>_n,<y>_q20,<y>_median,
//                 <y>_q80 (n: the runs with a value at that x)
//   summary.json  the resolved config, per method the statistics, per run its status
//   table.md      per method: median [q20, q80] of the final y columns and of x to target
//   config.json   the resolved config: `compare --config DIR/config.json` reruns it
//   compare.png   the plot (drawn by the CLI with tools/plot_compare.py; not written here)
//
// A comparison never replaces earlier results: the files are checked before anything runs,
// and each is written atomically (atomic_file.hpp).
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "bilevel/lab/compare.hpp"

namespace bilevel {

inline constexpr const char* kComparePlotName = "compare.png";

// The names of the files above, in DIR; compare.png only with `plot`.
std::vector<std::string> compare_output_names(bool plot);

// Throws InvalidInput (one line) when `dir` is not a directory, when one of the files
// already exists in it, or when it or its nearest existing parent cannot be written. Creates
// nothing.
void check_compare_outputs(const std::string& dir, bool plot);

std::string compare_runs_csv(const CompareResult& result);
std::string compare_bands_csv(const CompareResult& result);
nlohmann::ordered_json compare_summary(const CompareResult& result);
// A Markdown table (docs/cli.md shows one).
std::string compare_table(const CompareResult& result);

// Creates `dir` if needed and writes every file but the plot. Throws InvalidInput.
void write_compare_outputs(const std::string& dir, const CompareResult& result);

}  // namespace bilevel
