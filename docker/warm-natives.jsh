// Run once at image build time (jshell --class-path <the server's jars> warm-natives.jsh):
// starts DJL's PyTorch engine so its native libraries land in DJL_CACHE_DIR inside the image and
// the container never extracts or downloads them at start-up.
//
// CPU image: the natives come out of the pytorch-native-cpu jar. GPU image (PYTORCH_FLAVOR=cu128,
// server jar built with -Pcuda): DJL downloads libtorch 2.7.1+cu128 from its own CDN, because
// Maven Central has no CUDA build of the 2.7.1 natives. Loading the CUDA libraries can fail on a
// build machine without a GPU driver; the files are in the cache by then, which is all the image
// needs, so that failure only prints a note and the Dockerfile checks for the files itself.
try {
    ai.djl.engine.Engine engine = ai.djl.engine.Engine.getEngine("PyTorch");
    System.out.println("warm-natives: PyTorch " + engine.getVersion() + " ready; GPUs visible here: "
            + engine.getGpuCount());
} catch (Throwable e) {
    System.out.println("warm-natives: the engine did not start on this machine (" + e + ")");
}
/exit
