#include "vault/locked_bytes.hpp"

#include <new>
#include <sys/mman.h>
#include <unistd.h>
#include <utility>

#include <openssl/crypto.h>

namespace rosterd::vault {

locked_bytes::locked_bytes(std::size_t size) {
  if (size == 0) {
    return;
  }
  const long page_size = ::sysconf(_SC_PAGESIZE);
  const std::size_t page = page_size > 0 ? static_cast<std::size_t>(page_size) : 4096;
  if (size > SIZE_MAX - page) {
    throw std::bad_alloc();
  }
  const std::size_t mapped = (size + page - 1) / page * page;
  void* p = ::mmap(nullptr, mapped, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) {
    throw std::bad_alloc();
  }
  data_ = static_cast<std::uint8_t*>(p);
  size_ = size;
  mapped_ = mapped;
  locked_ = ::mlock(p, mapped) == 0;
  // Best effort as well: a kernel without MADV_DONTDUMP still gets a working buffer.
  (void)::madvise(p, mapped, MADV_DONTDUMP);
}

locked_bytes::locked_bytes(locked_bytes&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)),
      size_(std::exchange(other.size_, 0)),
      mapped_(std::exchange(other.mapped_, 0)),
      locked_(std::exchange(other.locked_, true)) {}

locked_bytes& locked_bytes::operator=(locked_bytes&& other) noexcept {
  if (this != &other) {
    release();
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
    mapped_ = std::exchange(other.mapped_, 0);
    locked_ = std::exchange(other.locked_, true);
  }
  return *this;
}

locked_bytes::~locked_bytes() {
  release();
}

void locked_bytes::release() noexcept {
  if (data_ == nullptr) {
    return;
  }
  OPENSSL_cleanse(data_, mapped_);
  if (locked_) {
    (void)::munlock(data_, mapped_);
  }
  (void)::munmap(data_, mapped_);
  data_ = nullptr;
  size_ = 0;
  mapped_ = 0;
  locked_ = true;
}

}  // namespace rosterd::vault
