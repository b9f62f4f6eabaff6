# The package as an outside project sees it (ctest: InstallAndBuildExamples).
#
#   1. installs the build tree into a fresh prefix (cmake --install BUILD_DIR --prefix ...);
#   2. checks that no source folder (data/, tools/) is compiled into the installed binaries;
#   3. configures and builds examples/ against the prefix (find_package(bilevel), the same
#      compiler and generator), runs the examples, and checks that own_problem's printed
#      distances to the known solution are small;
#   4. runs the installed bin/bilevel with BILEVEL_DATA_DIR unset and checks that every shipped
#      dataset is reported available from <prefix>/share/bilevel/data (found beside the
#      executable, not in the sources), and that a plot finds its tool in
#      <prefix>/share/bilevel/tools.
# Any failed step fails the test, with that step's output.
#
# cmake -DSOURCE_DIR=... -DBUILD_DIR=... -DWORK_DIR=... -DCXX_COMPILER=... -DGENERATOR=...
#       [-DMAKE_PROGRAM=...] [-DBUILD_TYPE=...] -DLIBRARY=... -DCLI=... -P install_examples.cmake
cmake_minimum_required(VERSION 3.20)

foreach(var SOURCE_DIR BUILD_DIR WORK_DIR CXX_COMPILER GENERATOR LIBRARY CLI)
  if(NOT DEFINED ${var} OR "${${var}}" STREQUAL "")
    message(FATAL_ERROR "install_examples.cmake: -D${var}=... is required")
  endif()
endforeach()
if(NOT BUILD_TYPE)
  set(BUILD_TYPE Release)
endif()
foreach(built LIBRARY CLI)
  if(NOT EXISTS "${${built}}")
    message(FATAL_ERROR "${${built}} is not built: build the project before running this test")
  endif()
endforeach()

string(TIMESTAMP test_start "%s")
set(prefix "${WORK_DIR}/prefix")
set(examples_build "${WORK_DIR}/examples-build")
file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")

# Runs one step (the command in ARGN); on failure stops the test with its output. The step's
# stdout is left in step_output.
function(step name)
  string(TIMESTAMP start "%s")
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  string(TIMESTAMP stop "%s")
  math(EXPR seconds "${stop} - ${start}")
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "FAILED: ${name} (exit ${rc})\ncommand: ${ARGN}\n"
                        "--- stdout\n${out}\n--- stderr\n${err}")
  endif()
  message(STATUS "ok (${seconds} s): ${name}")
  set(step_output "${out}" PARENT_SCOPE)
endfunction()

# The steps run without the variables that would point bilevel at the sources.
set(clean_env "${CMAKE_COMMAND}" -E env --unset=BILEVEL_DATA_DIR --unset=BILEVEL_TOOLS_DIR)

# 1. Install.
step("cmake --install into ${prefix}"
     "${CMAKE_COMMAND}" --install "${BUILD_DIR}" --prefix "${prefix}" --config "${BUILD_TYPE}")
foreach(installed bin/bilevel lib/cmake/bilevel/bilevelConfig.cmake
        lib/cmake/bilevel/bilevelConfigVersion.cmake include/bilevel/bilevel.hpp
        share/bilevel/data/README.md share/bilevel/data/heart_scale
        share/bilevel/tools/plot_traces.py)
  if(NOT EXISTS "${prefix}/${installed}")
    message(FATAL_ERROR "FAILED: ${installed} was not installed into ${prefix}")
  endif()
endforeach()
file(GLOB installed_libraries "${prefix}/lib*/libbilevel.a")
if(NOT installed_libraries)
  message(FATAL_ERROR "FAILED: no libbilevel.a installed under ${prefix}/lib*")
endif()

# 2. No source folder compiled in (the data and tools are found at run time).
foreach(binary "${prefix}/bin/bilevel" ${installed_libraries})
  file(STRINGS "${binary}" strings)
  foreach(folder data tools)
    string(FIND "${strings}" "${SOURCE_DIR}/${folder}" at)
    if(NOT at EQUAL -1)
      message(FATAL_ERROR "FAILED: ${binary} contains the source path ${SOURCE_DIR}/${folder}")
    endif()
  endforeach()
endforeach()
message(STATUS "ok: no source folder in the installed binaries")

# 3. The examples, as an outside project.
set(configure_args -S "${SOURCE_DIR}/examples" -B "${examples_build}" -G "${GENERATOR}"
    "-DCMAKE_PREFIX_PATH=${prefix}" "-DCMAKE_CXX_COMPILER=${CXX_COMPILER}"
    "-DCMAKE_BUILD_TYPE=${BUILD_TYPE}")
if(MAKE_PROGRAM)
  list(APPEND configure_args "-DCMAKE_MAKE_PROGRAM=${MAKE_PROGRAM}")
endif()
step("configure examples/ against the prefix" "${CMAKE_COMMAND}" ${configure_args})
step("build examples/" "${CMAKE_COMMAND}" --build "${examples_build}" --parallel 2)

step("run own_problem" ${clean_env} "${examples_build}/own_problem")
set(own_output "${step_output}")
string(REGEX MATCHALL "distance to the solution [^=\n]*= [0-9.eE+-]+" distances "${own_output}")
list(LENGTH distances count)
if(NOT count EQUAL 2)
  message(FATAL_ERROR "FAILED: own_problem printed ${count} distances, expected 2:\n${own_output}")
endif()
foreach(line IN LISTS distances)
  string(REGEX REPLACE ".*= " "" distance "${line}")
  if(NOT distance LESS 1e-4)
    message(FATAL_ERROR "FAILED: own_problem's ${line} is not below 1e-4:\n${own_output}")
  endif()
endforeach()
message(STATUS "ok: own_problem's distances ${distances}")

step("run stop_early" ${clean_env} "${examples_build}/stop_early")
if(NOT step_output MATCHES "termination +user_stop")
  message(FATAL_ERROR "FAILED: stop_early's report does not say user_stop:\n${step_output}")
endif()

step("run distributed" ${clean_env} "${examples_build}/distributed")
if(NOT step_output MATCHES "ranks 1: phi 0\\.[0-9]+")
  message(FATAL_ERROR "FAILED: distributed printed no result:\n${step_output}")
endif()

# 4. The installed command line finds the shipped data and tools beside itself.
file(REAL_PATH "${prefix}" real_prefix)
step("installed bilevel list datasets" ${clean_env} "${prefix}/bin/bilevel" list datasets)
set(listing "${step_output}")
foreach(name australian breast-cancer heart diabetes a9a)
  string(FIND "${listing}" "\n  ${name}  " at)
  if(at EQUAL -1)
    message(FATAL_ERROR "FAILED: bilevel list datasets does not list ${name}:\n${listing}")
  endif()
  # The entry: from its name to the blank line that ends it; its status line is its last.
  math(EXPR at "${at} + 1")
  string(SUBSTRING "${listing}\n\n" ${at} -1 entry)
  string(FIND "${entry}" "\n\n" end)
  string(SUBSTRING "${entry}" 0 ${end} entry)
  string(FIND "${entry}\n" "\n    available: ${real_prefix}/share/bilevel/data\n" found)
  if(found EQUAL -1)
    message(FATAL_ERROR "FAILED: the installed bilevel does not report ${name} available from "
                        "${real_prefix}/share/bilevel/data:\n${listing}")
  endif()
endforeach()
message(STATUS "ok: the shipped datasets are available from ${real_prefix}/share/bilevel/data")

# A plot needs tools/plot_complexity.py: given an interpreter that cannot exist, the installed
# bilevel must fail on the interpreter (it found the tool), not on the tool.
execute_process(
  COMMAND ${clean_env} "BILEVEL_PYTHON=${WORK_DIR}/no-python" "${prefix}/bin/bilevel"
          complexity --problem quadratic -P dx=6 -P dy=6 --algo aid-cg --sweep tol=0.1,0.01
          --csv "${WORK_DIR}/c.csv" --plot "${WORK_DIR}/c.png" --quiet
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(rc EQUAL 0 OR NOT err MATCHES "no-python" OR err MATCHES "cannot find the tool")
  message(FATAL_ERROR "FAILED: the installed bilevel did not find its tools in "
                      "${real_prefix}/share/bilevel/tools (exit ${rc}):\n${out}\n${err}")
endif()
message(STATUS "ok: the installed bilevel finds its tools")

string(TIMESTAMP test_stop "%s")
math(EXPR total "${test_stop} - ${test_start}")
message(STATUS "InstallAndBuildExamples passed in ${total} s")
