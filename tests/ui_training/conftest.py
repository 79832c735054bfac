"""Training-panel UI tests: offscreen Qt, settings in a temporary folder."""

import os
import tempfile

os.environ["QT_QPA_PLATFORM"] = "offscreen"
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("NETBUILDER_CONFIG_DIR",
                      tempfile.mkdtemp(prefix="netbuilder-test-config-"))
