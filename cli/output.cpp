// Where a rendered report goes (see output.hpp).
#include "cli/output.hpp"

#include "cli/interrupt.hpp"
#include "cli/status.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace autoreport::cli {

namespace {

std::string errno_text() {
  return std::strerror(errno);
}

// write(2) until everything is written or it fails.
bool write_all(int fd, const char* data, size_t size) {
  while (size > 0) {
    const ssize_t n = ::write(fd, data, size);
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      return false;
    }
    data += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

} // namespace

Output::Output(const std::optional<std::string>& path) {
  if (!path || *path == "-") {
    fd_ = STDOUT_FILENO;
    return;
  }
  path_ = *path;
  struct stat st = {};
  if (stat(path_.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
    fail(kLocalError, "could not open file \"" + path_ + "\": Is a directory");
  }
  const size_t slash = path_.find_last_of('/');
  const std::string dir = slash == std::string::npos ? "" : path_.substr(0, slash + 1);
  const std::string base = slash == std::string::npos ? path_ : path_.substr(slash + 1);
  temp_ = dir + "." + base + ".autoreport-XXXXXX";
  std::vector<char> name(temp_.begin(), temp_.end());
  name.push_back('\0');
  fd_ = mkstemp(name.data());
  if (fd_ < 0) {
    const std::string why = errno_text();
    temp_.clear();
    fail(kLocalError, "could not open file \"" + path_ + "\" for writing: " + why);
  }
  temp_ = name.data();
  interrupt::set_temp_file(temp_.c_str());
  // mkstemp makes the file 0600; the result gets the mode a new file would get (0666 less the umask).
  const mode_t mask = umask(0);
  umask(mask);
  fchmod(fd_, 0666 & ~mask);
}

Output::~Output() {
  if (!temp_.empty() && !committed_) {
    interrupt::set_temp_file(nullptr);
    close(fd_);
    unlink(temp_.c_str());
  }
}

void Output::write(const char* data, size_t size) {
  if (!write_all(fd_, data, size)) {
    fail(kLocalError, temp_.empty() ? "could not write to standard output: " + errno_text()
                                    : "could not write to file \"" + path_ + "\": " + errno_text());
  }
}

void Output::commit() {
  if (temp_.empty()) {
    return; // standard output is written unbuffered
  }
  if (fsync(fd_) != 0 || close(fd_) != 0) {
    fd_ = -1;
    fail(kLocalError, "could not write to file \"" + path_ + "\": " + errno_text());
  }
  fd_ = -1;
  if (rename(temp_.c_str(), path_.c_str()) != 0) {
    const std::string why = errno_text();
    unlink(temp_.c_str());
    interrupt::set_temp_file(nullptr);
    committed_ = true;
    fail(kLocalError, "could not rename the finished file to \"" + path_ + "\": " + why);
  }
  interrupt::set_temp_file(nullptr);
  committed_ = true;
}

} // namespace autoreport::cli
