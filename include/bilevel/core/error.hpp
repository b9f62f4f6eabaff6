// Exceptions of the library. Bad input (names, option values, files) throws InvalidInput;
// numerical trouble during a run never throws: it is reported in Result::status.
#pragma once

#include <stdexcept>
#include <string>

namespace bilevel {

// Anything the user supplied that cannot be used: unknown names, bad option values,
// unreadable or malformed files. The message is one line saying what is wrong and what
// would be right.
class InvalidInput : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// Options that failed validation (a kind of bad input).
class InvalidOptions : public InvalidInput {
 public:
  using InvalidInput::InvalidInput;
};

}  // namespace bilevel
