// StateArchive: the state of a run as named members, saved and restored by one function.
//
// Every object whose members change during a run (a method's MethodRun, its building blocks,
// samplers, the diagnostics' warm starts) lists them in one place:
//
//   void visit(StateArchive& a) { a("x", x_)("y", y_)("sampler", sf_)("steps", steps_); }
//
// Saving copies each member into the archive; loading copies it back into an object built as
// at the start of the run from the same options. One function serves both directions, so a
// member added to the state is one more name in visit(), and a member forgotten there is
// missing from a resumed run (the per-method resume tests compare whole runs and fail).
// Doubles keep every bit (NaN and infinities included); the generator keeps its engine state.
#pragma once

#include <concepts>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bilevel/core/types.hpp"

namespace bilevel {

class StateArchive;

// A type with its own member list: void visit(StateArchive&).
template <class T>
concept Visitable = requires(T& t, StateArchive& a) { t.visit(a); };

class StateArchive {
 public:
  // An empty archive to save into.
  StateArchive();
  ~StateArchive();
  StateArchive(StateArchive&&) noexcept;
  StateArchive& operator=(StateArchive&&) noexcept;

  bool loading() const;

  // One member each. Loading throws InvalidInput naming the member's path when the archive
  // lacks it or holds a value of another type (a corrupted or foreign checkpoint).
  StateArchive& operator()(const char* name, double& v);
  StateArchive& operator()(const char* name, Index& v);
  StateArchive& operator()(const char* name, int& v);
  StateArchive& operator()(const char* name, std::uint64_t& v);  // std::size_t too (LP64)
  StateArchive& operator()(const char* name, bool& v);
  StateArchive& operator()(const char* name, std::string& v);
  StateArchive& operator()(const char* name, Vec& v);
  StateArchive& operator()(const char* name, Mat& m);
  StateArchive& operator()(const char* name, Rng& rng);
  StateArchive& operator()(const char* name, std::vector<Index>& v);
  StateArchive& operator()(const char* name, std::vector<Vec>& v);
  StateArchive& operator()(const char* name, std::vector<std::string>& v);
  StateArchive& operator()(const char* name, std::optional<std::uint64_t>& v);

  // A nested object with its own member list.
  template <Visitable T>
  StateArchive& operator()(const char* name, T& object) {
    enter(name);
    object.visit(*this);
    leave();
    return *this;
  }
  // An optional nested object: loading a present one into an empty optional builds it with
  // T's default constructor first.
  template <Visitable T>
  StateArchive& operator()(const char* name, std::optional<T>& object) {
    bool present = object.has_value();
    (*this)((std::string(name) + "_present").c_str(), present);
    if (!present) {
      object.reset();
      return *this;
    }
    if (!object) object.emplace();
    return (*this)(name, *object);
  }
  // A list of nested objects; loading keeps the elements already there (their addresses
  // stay valid) when the sizes agree.
  template <Visitable T>
  StateArchive& operator()(const char* name, std::vector<T>& list) {
    std::size_t n = list.size();
    enter_list(name, &n);
    if (loading() && list.size() != n) list.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
      enter_element(i);
      list[i].visit(*this);
      leave();
    }
    leave();
    return *this;
  }

  struct Impl;
  Impl& impl() { return *impl_; }

 private:
  void enter(const char* name);
  void enter_list(const char* name, std::size_t* n);
  void enter_element(std::size_t i);
  void leave();

  std::unique_ptr<Impl> impl_;
};

}  // namespace bilevel
