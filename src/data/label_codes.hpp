// Turning the label text of a file into class ids 0..C-1.
#pragma once

#include <string>
#include <vector>

namespace bilevel::data::detail {

struct LabelCodes {
  std::vector<int> labels;               // class id per sample
  std::vector<std::string> class_names;  // index = class id
};

// Class ids follow the increasing numeric order of the distinct labels when every label is a
// number ("-1" < "+1", "2" < "4"; "1" and "+1" are the same class, named by its first
// spelling), and the lexicographic order of the text otherwise (e.g. CSV class names).
LabelCodes encode_labels(const std::vector<std::string>& texts);

}  // namespace bilevel::data::detail
