// Running the project's Python tools (tools/*.py, matplotlib plots) from the CLI.
//
// The script is found in $BILEVEL_TOOLS_DIR when set, else in share/bilevel/tools beside the
// executable (installed: <prefix>/bin/../share/bilevel/tools; a build tree links
// <build>/share/bilevel/tools to the sources) or at the configured install location
// (find_shared_folder, bilevel/io/install_paths.hpp): no source path is compiled in. The interpreter is $BILEVEL_PYTHON when set, else
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
