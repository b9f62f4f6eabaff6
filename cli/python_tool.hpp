// Running the project's Python tools (tools/*.py, matplotlib plots) from the CLI.
//
// The script is found in $BILEVEL_TOOLS_DIR when set, else in the source tree's tools/
// directory, whose path the build compiles in (CMakeLists.txt), so an installed or copied
// binary can be pointed at its tools. The interpreter is $BILEVEL_PYTHON when set, else
// /usr/bin/python3: Debian's matplotlib is visible only to the system Python.
#pragma once

#include <string>
#include <vector>

namespace bilevel::cli {

// The full path of tools/<name>. Throws InvalidInput (one line) if it is not there.
std::string python_tool_path(const std::string& name);

// Runs `python tools/<name> args...` with stdout discarded. Returns normally on exit status 0;
// otherwise throws InvalidInput with `what` and the tool's last line on stderr (or why it
// could not start), e.g. "cannot plot: plot_complexity.py: error: matplotlib is not ...".
void run_python_tool(const std::string& name, const std::vector<std::string>& args,
                     const std::string& what);

}  // namespace bilevel::cli
