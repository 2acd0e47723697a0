//! Which candle device a model runs on, for every model nya runs (probe, distillation teacher):
//! `cpu`, or `cuda` (the first GPU) in builds with the `cuda` feature.

use std::fmt;
use std::str::FromStr;

use candle_core::Device;

/// Where a model runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DeviceKind {
    #[default]
    Cpu,
    Cuda,
}

/// Why a device cannot be opened.
#[derive(Debug, thiserror::Error)]
pub enum DeviceError {
    #[error("--device cuda needs nya built with the `cuda` feature")]
    CudaNotBuilt,
    #[error("cannot open CUDA device 0: {0}")]
    CudaUnavailable(candle_core::Error),
}

impl DeviceKind {
    /// Opens the device (CUDA: the first GPU).
    pub fn open(self) -> Result<Device, DeviceError> {
        match self {
            Self::Cpu => Ok(Device::Cpu),
            Self::Cuda => open_cuda(),
        }
    }
}

#[cfg(feature = "cuda")]
fn open_cuda() -> Result<Device, DeviceError> {
    Device::new_cuda(0).map_err(DeviceError::CudaUnavailable)
}

#[cfg(not(feature = "cuda"))]
fn open_cuda() -> Result<Device, DeviceError> {
    Err(DeviceError::CudaNotBuilt)
}

impl fmt::Display for DeviceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Cpu => "cpu",
            Self::Cuda => "cuda",
        })
    }
}

impl FromStr for DeviceKind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "cpu" => Ok(Self::Cpu),
            "cuda" => Ok(Self::Cuda),
            other => Err(format!("unknown device {other:?}: expected cpu or cuda")),
        }
    }
}

/// A device's name for reports (`cpu`, `cuda:0`).
pub fn device_name(device: &Device) -> String {
    match device.location() {
        candle_core::DeviceLocation::Cpu => "cpu".into(),
        candle_core::DeviceLocation::Cuda { gpu_id } => format!("cuda:{gpu_id}"),
        candle_core::DeviceLocation::Metal { gpu_id } => format!("metal:{gpu_id}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn devices_parse_and_cuda_needs_the_feature() {
        assert_eq!("cpu".parse::<DeviceKind>().unwrap(), DeviceKind::Cpu);
        assert_eq!(DeviceKind::Cuda.to_string().parse(), Ok(DeviceKind::Cuda));
        let err = "tpu".parse::<DeviceKind>().unwrap_err();
        assert!(err.contains("cpu or cuda"), "{err}");
        assert_eq!(device_name(&DeviceKind::Cpu.open().unwrap()), "cpu");
        if cfg!(not(feature = "cuda")) {
            let err = DeviceKind::Cuda.open().unwrap_err().to_string();
            assert!(err.contains("`cuda` feature"), "{err}");
        }
    }
}
