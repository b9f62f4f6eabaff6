#include "bilevel/kernels/kernel_options.hpp"

namespace bilevel {

void KernelOptions::declare(OptionList& o) {
  o.add("precision", precision,
        "scalar type of the data products: float64, or float32 (a float copy of the features, "
        "dense or sparse: half the bytes of the values; results differ from float64 by about "
        "1e-7 relative)",
        Constraint::one_of({"float64", "float32"}))
      .add("fused", fused,
           "one blocked, multi-threaded pass over the data per oracle call; false selects the "
           "two-pass float64 reference (Eigen products), kept for checks and benchmarks")
      .rule([this](Violations& v) {
        v.check(fused || precision == "float64",
                "precision=float32 needs fused=true (the unfused reference is float64)");
      });
}

}  // namespace bilevel
