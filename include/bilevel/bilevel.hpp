// One include for the whole public library: the core (problems, algorithms, options, results,
// diagnostics), the built-in problems and methods, the registry that finds them by name, the
// dataset loaders and the writers of traces and summaries.
#pragma once

#include "bilevel/core/algorithm.hpp"
#include "bilevel/core/diagnostics.hpp"
#include "bilevel/core/error.hpp"
#include "bilevel/core/options.hpp"
#include "bilevel/core/problem.hpp"
#include "bilevel/core/result.hpp"
#include "bilevel/data/catalog.hpp"
#include "bilevel/data/dataset.hpp"
#include "bilevel/io/summary.hpp"
#include "bilevel/io/trace_writer.hpp"
#include "bilevel/registry.hpp"
