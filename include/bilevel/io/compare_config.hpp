// The JSON configuration of `bilevel compare` (docs/cli.md, "bilevel compare"): read from a
// file the user wrote, and written back resolved (config.json), so that a comparison can be
// rerun exactly from its own output.
//
//   {"problem": {"name": "hyperclean", "options": {"dataset": "australian", "corrupt": 0.3}},
//    "methods": [{"algo": "f2ba", "label": "f2ba", "options": {"lam": 100},
//                 "grid": {"eta": [0.1, 1]}}, {"algo": "aid-cg"}],
//    "seeds": [0, 1, 2] (or a count: 3),
//    "budget": {"max_iters": 200, "max_oracle_calls": 0, "time_limit_s": 0, "tol": 0},
//    "log_every": 1, "diagnostics": true, "x": "iter", "y": ["val_loss"], "grid_points": 100,
//    "target": {"column": "val_loss", "value": 0.5, "direction": "below"}, "jobs": 1}
//
// Every key but problem.name and methods[i].algo is optional. Option values are strings,
// numbers or booleans (kept as the text they stand for). An unknown key, a wrong type or a
// value out of range is refused with one line naming its path ("methods[1].options.eta:
// ..."). Whether names (problems, algorithms, options, columns) exist is checked later, by
// resolve_compare_config, against the registry.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "bilevel/lab/compare.hpp"

namespace bilevel {

// Config files are written by hand or by `compare`; anything larger is not one.
inline constexpr std::size_t kMaxCompareConfigBytes = 1 << 20;

// Parses the JSON text of a config. `source` names it in messages (a file name). Throws
// InvalidInput, one line.
CompareConfig parse_compare_config(std::string_view text, const std::string& source);

// Reads and parses the file `path`, refusing one above kMaxCompareConfigBytes.
CompareConfig read_compare_config(const std::string& path);

// The config as JSON in the schema above, every field written (parse_compare_config of its
// dump gives `config` back).
nlohmann::ordered_json compare_config_json(const CompareConfig& config);

}  // namespace bilevel
