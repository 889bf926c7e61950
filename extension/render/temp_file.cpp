// Temporary files that never outlive their owner.
#include "render/temp_file.hpp"

#include "common/error.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <string>
#include <sys/stat.h>
#include <unistd.h>
#include <utility>
#include <vector>

#include "common/pure.hpp"

namespace autoreport::render {

namespace {

// Closes a file descriptor when it goes out of scope.
struct Descriptor {
  int fd;
  ~Descriptor() { ::close(fd); }
};

// An Error for a failed file operation, naming the file and the system's reason.
Error file_error(const std::string& what, const std::string& path, int err) {
  return Error(sqlstate::io_error, "could not " + what + " temporary file \"" + path + "\"")
      .with_detail(std::strerror(err));
}
} // namespace

namespace {
TempSpace g_space;
} // namespace

const TempSpace& temp_space() noexcept {
  return g_space;
}

TempSpaceScope::TempSpaceScope(TempSpace space) : saved_(std::exchange(g_space, std::move(space))) {}

TempSpaceScope::~TempSpaceScope() {
  g_space = std::move(saved_);
}

void check_temp_usage(uint64_t bytes) {
  const int64_t limit_kb = g_space.limit_kb;
  if (limit_kb >= 0 && bytes > static_cast<uint64_t>(limit_kb) * 1024) {
    throw Error(sqlstate::configuration_limit_exceeded,
                "temporary file size exceeds temp_file_limit (" + std::to_string(limit_kb) + "kB)")
        .with_detail("The render's temporary files hold " + std::to_string(bytes / 1024) + " kB.");
  }
}

std::string TempFile::temp_dir() {
  if (!g_space.dir.empty()) {
    return g_space.dir;
  }
  const char* dir = std::getenv("TMPDIR");
  return dir != nullptr && *dir != '\0' ? std::string(dir) : std::string("/tmp");
}

TempFile::TempFile(const std::string& prefix) {
  std::string name = temp_dir() + "/" + g_space.name_prefix + prefix + "XXXXXX";
  std::vector<char> buffer(name.begin(), name.end());
  buffer.push_back('\0');
  const int fd = ::mkstemp(buffer.data());
  if (fd < 0) {
    throw file_error("create", name, errno)
        .with_hint("Check that " + temp_dir() + " exists and is writable.");
  }
  ::close(fd); // the writer opens the file by name
  path_ = buffer.data();
}

TempFile::~TempFile() {
  ::unlink(path_.c_str());
}

uint64_t TempFile::size() const {
  struct stat st {};
  if (::stat(path_.c_str(), &st) != 0) {
    throw file_error("inspect", path_, errno);
  }
  return static_cast<uint64_t>(st.st_size);
}

void TempFile::copy_to(Output& out) const {
  const Descriptor file{::open(path_.c_str(), O_RDONLY | O_CLOEXEC)};
  if (file.fd < 0) {
    throw file_error("open", path_, errno);
  }
  std::vector<char> chunk(1 << 16);
  for (;;) {
    const ssize_t n = ::read(file.fd, chunk.data(), chunk.size());
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n < 0) {
      throw file_error("read", path_, errno);
    }
    if (n == 0) {
      break;
    }
    out.write(std::string_view(chunk.data(), static_cast<size_t>(n)));
  }
}

} // namespace autoreport::render
