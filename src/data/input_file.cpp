#include "input_file.hpp"

#include <sys/stat.h>
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
// zlib's buffers (input, and twice that for output). 32 KiB reads compressed data at full
// speed (zlib's default is 8 KiB); a plain file's large reads bypass them.
constexpr unsigned kGzBuffer = 1u << 15;
// Lines are read in chunks that start small (most files of the tests and of fuzzing are
// small: a large first allocation would dominate their cost) and double up to kMaxChunk.
constexpr std::size_t kFirstChunk = std::size_t{1} << 14;
constexpr std::size_t kMaxChunk = std::size_t{1} << 18;
}  // namespace

InputFile::InputFile(std::string path) : path_(std::move(path)) {
  errno = 0;
  handle_ = gzopen(path_.c_str(), "rb");
  if (handle_ == nullptr) {
    const int err = errno;
    throw InvalidInput(path_ + ": cannot open (" +
                       (err != 0 ? std::strerror(err) : "out of memory") + ")");
  }
  gzbuffer(as_gz(handle_), kGzBuffer);
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

std::int64_t InputFile::plain_size() const {
  struct stat st {};
  if (gzdirect(as_gz(handle_)) != 1 || stat(path_.c_str(), &st) != 0 || !S_ISREG(st.st_mode))
    return -1;
  return static_cast<std::int64_t>(st.st_size);
}

bool LineReader::fill() {
  if (eof_) return false;
  // Drop what has been consumed so the buffer holds at most one partial line plus a chunk.
  buffer_.erase(0, begin_);
  begin_ = 0;
  const std::size_t old = buffer_.size();
  chunk_ = chunk_ == 0 ? kFirstChunk : std::min(2 * chunk_, kMaxChunk);
  buffer_.resize(old + chunk_);
  const std::size_t got = file_.read(buffer_.data() + old, chunk_);
  buffer_.resize(old + got);
  if (got == 0) eof_ = true;
  return got > 0;
}

void LineReader::too_long() const {
  throw InvalidInput(path() + ":" + std::to_string(line_number_ + 1) + ": line longer than " +
                     std::to_string(max_line_) + " bytes (not a text data file?)");
}

bool LineReader::next(std::string_view* line) {
  if (at_start_) {
    at_start_ = false;
    while (buffer_.size() < 3 && fill()) {
    }
    if (std::string_view(buffer_).starts_with("\xEF\xBB\xBF")) begin_ = 3;  // UTF-8 BOM
  }
  std::size_t scan_from = begin_;
  for (;;) {
    const std::size_t nl = buffer_.find('\n', scan_from);
    if (nl != std::string::npos && nl - begin_ > max_line_) too_long();
    if (nl != std::string::npos) {
      std::size_t end = nl;
      if (end > begin_ && buffer_[end - 1] == '\r') --end;
      *line = std::string_view(buffer_).substr(begin_, end - begin_);
      begin_ = nl + 1;
      ++line_number_;
      return true;
    }
    const std::size_t consumed = begin_;
    if (buffer_.size() - consumed > max_line_) too_long();
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
