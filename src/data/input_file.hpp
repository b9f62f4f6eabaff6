// Reading a data file that may be gzip-compressed. zlib's gzread passes plain files through
// unchanged, so every loader reads through this one class and accepts both forms.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace bilevel::data::detail {

class InputFile {
 public:
  // Throws InvalidInput naming the file if it cannot be opened.
  explicit InputFile(std::string path);
  ~InputFile();
  InputFile(const InputFile&) = delete;
  InputFile& operator=(const InputFile&) = delete;

  // Reads up to `size` bytes; returns how many were read (fewer only at the end of the data).
  // Throws InvalidInput on corrupt compressed data.
  std::size_t read(void* out, std::size_t size);

  const std::string& path() const { return path_; }
  // The size in bytes of the file on disk when it is a regular file read as is (not gzip);
  // -1 otherwise. Call after the first read (zlib decides "gzip or not" on it).
  std::int64_t plain_size() const;

 private:
  std::string path_;
  void* handle_ = nullptr;  // gzFile, kept opaque so that zlib.h stays out of this header
};

// Splits a file into lines: LF or CRLF endings, a missing final newline accepted, a UTF-8
// byte order mark at the start of the file skipped. A line longer than `max_line` bytes is
// refused (InvalidInput "PATH:LINE: line longer than ...") before it is read whole, so that
// /dev/zero or a binary file fails fast instead of filling memory.
class LineReader {
 public:
  static constexpr std::size_t kDefaultMaxLine = std::size_t{64} << 20;  // 64 MiB

  explicit LineReader(std::string path, std::size_t max_line = kDefaultMaxLine)
      : file_(std::move(path)), max_line_(max_line) {}

  // The next line without its line ending, valid until the next call; false at the end.
  bool next(std::string_view* line);
  // 1-based number of the line last returned by next().
  long line_number() const { return line_number_; }
  const std::string& path() const { return file_.path(); }

 private:
  bool fill();  // appends the next chunk to buffer_; false at the end of the file
  [[noreturn]] void too_long() const;

  InputFile file_;
  std::size_t max_line_;
  bool at_start_ = true;  // nothing returned yet: a byte order mark may come first
  std::string buffer_;
  std::size_t begin_ = 0;  // start of the unread part of buffer_
  std::size_t chunk_ = 0;  // size of the last read
  long line_number_ = 0;
  bool eof_ = false;
};

// "PATH:LINE: " -- the prefix of every error about a line of a text file.
std::string where(const LineReader& reader);

}  // namespace bilevel::data::detail
