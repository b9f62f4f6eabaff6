#include "input_file.hpp"

#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <utility>

#include "bilevel/core/error.hpp"

namespace bilevel::data::detail {

namespace {
gzFile as_gz(void* handle) { return static_cast<gzFile>(handle); }
constexpr std::size_t kChunk = std::size_t{1} << 18;
}  // namespace

InputFile::InputFile(std::string path) : path_(std::move(path)) {
  errno = 0;
  handle_ = gzopen(path_.c_str(), "rb");
  if (handle_ == nullptr) {
    const int err = errno;
    throw InvalidInput(path_ + ": cannot open (" +
                       (err != 0 ? std::strerror(err) : "out of memory") + ")");
  }
  gzbuffer(as_gz(handle_), kChunk);
}

InputFile::~InputFile() {
  if (handle_ != nullptr) gzclose(as_gz(handle_));
}

std::size_t InputFile::read(void* out, std::size_t size) {
  std::size_t done = 0;
  auto* bytes = static_cast<unsigned char*>(out);
  while (done < size) {
    // gzread takes an unsigned count; large reads go in pieces.
    const auto want = static_cast<unsigned>(std::min<std::size_t>(size - done, INT_MAX / 2));
    const int got = gzread(as_gz(handle_), bytes + done, want);
    // A gzip stream that stops early is not an error to gzread (it just returns 0 at the
    // end), so the error state is checked whenever the data seems to end.
    int code = Z_OK;
    const char* msg = got <= 0 ? gzerror(as_gz(handle_), &code) : nullptr;
    if (got < 0 || code != Z_OK) {
      throw InvalidInput(path_ + ": cannot read (" + (msg != nullptr ? msg : "zlib error") +
                         "; a truncated or corrupt gzip file?)");
    }
    if (got == 0) break;
    done += static_cast<std::size_t>(got);
  }
  return done;
}

bool LineReader::fill() {
  if (eof_) return false;
  // Drop what has been consumed so the buffer holds at most one partial line plus a chunk.
  buffer_.erase(0, begin_);
  begin_ = 0;
  const std::size_t old = buffer_.size();
  buffer_.resize(old + kChunk);
  const std::size_t got = file_.read(buffer_.data() + old, kChunk);
  buffer_.resize(old + got);
  if (got == 0) eof_ = true;
  return got > 0;
}

bool LineReader::next(std::string_view* line) {
  std::size_t scan_from = begin_;
  for (;;) {
    const std::size_t nl = buffer_.find('\n', scan_from);
    if (nl != std::string::npos) {
      std::size_t end = nl;
      if (end > begin_ && buffer_[end - 1] == '\r') --end;
      *line = std::string_view(buffer_).substr(begin_, end - begin_);
      begin_ = nl + 1;
      ++line_number_;
      return true;
    }
    const std::size_t consumed = begin_;
    scan_from = buffer_.size() - consumed;  // offset of the unscanned part after fill()
    if (!fill()) break;
  }
  if (begin_ >= buffer_.size()) return false;
  // The last line of a file without a final newline.
  std::size_t end = buffer_.size();
  if (buffer_[end - 1] == '\r') --end;
  *line = std::string_view(buffer_).substr(begin_, end - begin_);
  begin_ = buffer_.size();
  ++line_number_;
  return true;
}

std::string where(const LineReader& reader) {
  return reader.path() + ":" + std::to_string(reader.line_number()) + ": ";
}

}  // namespace bilevel::data::detail
