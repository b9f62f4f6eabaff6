// Method<Options>: the part of every algorithm that only concerns its options struct.
//
// An Options struct lists its fields once in `declare(OptionList&)` and checks them in
// `validate()`; Method binds that list to the Algorithm interface (options(), validate()) and
// echoes the values resolved in init ("auto" replaced by numbers) for run summaries.
#pragma once

#include "bilevel/core/algorithm.hpp"

namespace bilevel {

template <class Options>
class Method : public Algorithm {
 public:
  Method() = default;
  explicit Method(const Options& o) : o_(o) {}

  OptionList options() override {
    OptionList list(name());
    o_.declare(list);
    return list;
  }
  std::vector<std::string> validate() const override { return o_.validate(); }
  Options& settings() { return o_; }
  const Options& settings() const { return o_; }

 protected:
  // The summary's echo of `resolved`, a copy of the options with "auto" fields filled in.
  KeyValues echo(Options resolved) {
    OptionList list(name());
    resolved.declare(list);
    return list.values();
  }

  Options o_;
};

}  // namespace bilevel
