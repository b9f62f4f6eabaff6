// IDX files, the format of MNIST and Fashion-MNIST: a big-endian header (magic 0x00000803
// for 3-d unsigned-byte images, 0x00000801 for 1-d unsigned-byte labels, then one 32-bit size
// per dimension) followed by the bytes. Plain or gzip-compressed.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "bilevel/data/catalog.hpp"
#include "bilevel/data/dataset.hpp"

namespace bilevel::data {

struct IdxImages {
  Index count = 0, rows = 0, cols = 0;
  std::vector<std::uint8_t> pixels;  // count * rows * cols, image after image, row-major
};

// Throw InvalidInput naming the file on a wrong magic number, a zero dimension, sizes whose
// product overflows or exceeds the memory budget (core/memory_budget.hpp), truncated data
// (a plain file is measured before anything is read) or bytes past the end of the data.
IdxImages read_idx_images(const std::string& path);
std::vector<std::uint8_t> read_idx_labels(const std::string& path);

// Images and labels as a dense dataset: one row of rows*cols pixels scaled to [0, 1] per
// image; class ids in increasing order of the label values, class_names their decimal text.
// Throws InvalidInput if the files disagree on the number of samples.
Dataset load_idx(const std::string& images_path, const std::string& labels_path, std::string name);

// PREFIX-images-idx3-ubyte[.gz] and PREFIX-labels-idx1-ubyte[.gz] (the .gz one is used
// when both exist), e.g. PREFIX = /usr/share/datasets/fashion-mnist/train.
Dataset load_idx_prefix(const std::string& prefix, std::string name = "");

// load_idx(...).subset(choose(n)) without reading the other images (see load_dataset_rows): n
// comes from the images header; a plain file is read at the chosen images' offsets, a gzip one
// is decompressed through the others without keeping them. Every label is read (one byte
// each): the classes are those of the whole file. An empty `choose` is load_idx.
Dataset load_idx_rows(const std::string& images_path, const std::string& labels_path,
                      std::string name, const RowChooser& choose);
Dataset load_idx_prefix_rows(const std::string& prefix, const RowChooser& choose,
                             std::string name = "");

}  // namespace bilevel::data
