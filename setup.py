"""Builds the Python module's extension with CMake (the project's own build) and packages it
with the pure-Python layer (python/bilevel) and the shipped datasets (data/, installed as
bilevel/share/bilevel/data, where the library looks beside the extension).

    /usr/bin/python3 -m pip install --no-build-isolation --break-system-packages .

Environment:
  BILEVEL_NATIVE=ON      compile for this machine's instruction set (-march=native): faster,
                         but the installed module then runs only on machines like this one.
                         Default OFF: a portable module (docs/python.md).
  BILEVEL_BUILD_JOBS=N   parallel compile jobs (default: the number of cores).
  BILEVEL_CMAKE_BUILD_DIR=DIR   where CMake builds (default: build-pip/cmake, kept between
                         installs so that a second install only recompiles what changed).
  BILEVEL_PREBUILT_EXTENSION=FILE   package this already built extension instead of building
                         (the packaging test uses the build tree's).
"""

import os
import shutil
import subprocess
import sys

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

ROOT = os.path.dirname(os.path.abspath(__file__))


class CMakeBuild(build_ext):
    def build_extension(self, ext):
        target = self.get_ext_fullpath(ext.name)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        prebuilt = os.environ.get("BILEVEL_PREBUILT_EXTENSION")
        if prebuilt:
            shutil.copyfile(prebuilt, target)
        else:
            shutil.copyfile(self._cmake_build(), target)
        data = os.path.join(os.path.dirname(target), "share", "bilevel", "data")
        if os.path.isdir(data):
            shutil.rmtree(data)
        shutil.copytree(os.path.join(ROOT, "data"), data)

    def _cmake_build(self):
        build_dir = os.environ.get("BILEVEL_CMAKE_BUILD_DIR") or os.path.join(ROOT, "build-pip",
                                                                             "cmake")
        native = os.environ.get("BILEVEL_NATIVE", "OFF")
        jobs = os.environ.get("BILEVEL_BUILD_JOBS") or str(os.cpu_count() or 2)
        subprocess.check_call([
            "cmake", "-S", ROOT, "-B", build_dir, "-DCMAKE_BUILD_TYPE=Release",
            "-DBILEVEL_NATIVE=" + native, "-DBILEVEL_PYTHON=ON", "-DBILEVEL_BUILD_TESTS=OFF",
            "-DBILEVEL_BUILD_BENCH=OFF", "-DBILEVEL_BUILD_CLI=OFF",
            "-DPython3_EXECUTABLE=" + sys.executable])
        subprocess.check_call(["cmake", "--build", build_dir, "--target", "bilevel_python",
                               "-j", jobs])
        package = os.path.join(build_dir, "python", "bilevel")
        built = [f for f in os.listdir(package) if f.startswith("_bilevel") and f.endswith(".so")]
        if len(built) != 1:
            raise RuntimeError("expected one _bilevel extension in %s, found %s" % (package, built))
        return os.path.join(package, built[0])


setup(
    packages=["bilevel"],
    package_dir={"": "python"},
    ext_modules=[Extension("bilevel._bilevel", sources=[])],
    cmdclass={"build_ext": CMakeBuild},
    # setuptools' own staging, apart from the CMake build trees (build/ is the project's).
    options={"build": {"build_base": os.path.join("build-pip", "setuptools")},
             "egg_info": {"egg_base": "build-pip"}},
    zip_safe=False,
)
