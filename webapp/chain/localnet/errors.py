"""JSON-RPC errors with the codes and messages a real Solana RPC node answers."""
from __future__ import annotations

from typing import Any

import orjson
from solders.transaction_status import UiTransactionStatusMeta

PARSE_ERROR = -32700
INVALID_REQUEST = -32600
METHOD_NOT_FOUND = -32601
INVALID_PARAMS = -32602
INTERNAL_ERROR = -32603
PREFLIGHT_FAILURE = -32002
SIGNATURE_VERIFICATION_FAILURE = -32003
UNSUPPORTED_TRANSACTION_VERSION = -32015
MIN_CONTEXT_SLOT_NOT_REACHED = -32016


class RpcError(Exception):
    """An error answered in the JSON-RPC `error` member."""

    def __init__(self, code: int, message: str, data: Any = None, *, with_data: bool = False) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.data = data
        # -32002 always carries `data` (solders panics without it); others only when set.
        self.with_data = with_data or data is not None

    def to_json(self) -> dict[str, Any]:
        error: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.with_data:
            error["data"] = self.data
        return error


def invalid_params(message: str) -> RpcError:
    return RpcError(INVALID_PARAMS, message)


def method_not_found() -> RpcError:
    return RpcError(METHOD_NOT_FOUND, "Method not found")


def signature_verification_failure() -> RpcError:
    return RpcError(SIGNATURE_VERIFICATION_FAILURE, "Transaction signature verification failure")


def preflight_failure(err: Any, simulation: dict[str, Any]) -> RpcError:
    """-32002 with the simulation result as `data`, message built from the error like the RPC's."""
    return RpcError(
        PREFLIGHT_FAILURE,
        f"Transaction simulation failed: {describe_transaction_error(err)}",
        simulation,
        with_data=True,
    )


def min_context_slot_not_reached(context_slot: int) -> RpcError:
    return RpcError(
        MIN_CONTEXT_SLOT_NOT_REACHED, "Minimum context slot has not been reached", {"contextSlot": context_slot}
    )


def unsupported_version(version: int) -> RpcError:
    return RpcError(
        UNSUPPORTED_TRANSACTION_VERSION,
        f"Transaction version ({version}) is not supported by the requesting client. "
        "Please try the request again with the following configuration parameter: "
        '"maxSupportedTransactionVersion": 0',
    )


def transaction_error_json(err: Any) -> Any:
    """A solders TransactionError as the RPC's JSON (e.g. {"InstructionError": [0, {"Custom": 1}]}).

    solders knows the exact serialisation; borrowing it through the status meta
    keeps every variant right without a hand-written table.
    """
    if err is None:
        return None
    return orjson.loads(UiTransactionStatusMeta(err, 0, [], []).to_json())["err"]


_TRANSACTION_ERRORS = {
    "AccountInUse": "Account in use",
    "AccountLoadedTwice": "Account loaded twice",
    "AccountNotFound": "Attempt to debit an account but found no record of a prior credit.",
    "ProgramAccountNotFound": "Attempt to load a program that does not exist",
    "InsufficientFundsForFee": "Insufficient funds for fee",
    "InvalidAccountForFee": "This account may not be used to pay transaction fees",
    "AlreadyProcessed": "This transaction has already been processed",
    "BlockhashNotFound": "Blockhash not found",
    "CallChainTooDeep": "Loader call chain is too deep",
    "MissingSignatureForFee": "Transaction requires a fee but has no signature present",
    "InvalidAccountIndex": "Transaction contains an invalid account reference",
    "SignatureFailure": "Transaction did not pass signature verification",
    "InvalidProgramForExecution": "This program may not be used for executing instructions",
    "SanitizeFailure": "Transaction failed to sanitize accounts offsets correctly",
    "ClusterMaintenance": "Transactions are currently disabled due to cluster maintenance",
    "AccountBorrowOutstanding": "Transaction processing left an account with an outstanding borrowed reference",
    "WouldExceedMaxBlockCostLimit": "Transaction would exceed max Block Cost Limit",
    "UnsupportedVersion": "Transaction version is unsupported",
    "InvalidWritableAccount": "Transaction loads a writable account that cannot be written",
    "AddressLookupTableNotFound": "Transaction loads an address table account that doesn't exist",
    "InvalidAddressLookupTableOwner": "Transaction loads an address table account with an invalid owner",
    "InvalidAddressLookupTableData": "Transaction loads an address table account with invalid data",
    "InvalidAddressLookupTableIndex": "Transaction address table lookup uses an invalid index",
    "InvalidRentPayingAccount": "Transaction leaves an account with a lower balance than rent-exempt minimum",
    "TooManyAccountLocks": "Transaction locked too many accounts",
}

_INSTRUCTION_ERRORS = {
    "GenericError": "generic instruction error",
    "InvalidArgument": "invalid program argument",
    "InvalidInstructionData": "invalid instruction data",
    "InvalidAccountData": "invalid account data for instruction",
    "AccountDataTooSmall": "account data too small for instruction",
    "InsufficientFunds": "insufficient funds for instruction",
    "IncorrectProgramId": "incorrect program id for instruction",
    "MissingRequiredSignature": "missing required signature for instruction",
    "AccountAlreadyInitialized": "instruction requires an uninitialized account",
    "UninitializedAccount": "instruction requires an initialized account",
    "UnbalancedInstruction": "sum of account balances before and after instruction do not match",
    "ModifiedProgramId": "instruction illegally modified the program id of an account",
    "ExternalAccountLamportSpend": "instruction spent from the balance of an account it does not own",
    "ExternalAccountDataModified": "instruction modified data of an account it does not own",
    "ReadonlyLamportChange": "instruction changed the balance of a read-only account",
    "ReadonlyDataModified": "instruction modified data of a read-only account",
    "DuplicateAccountIndex": "instruction contains duplicate accounts",
    "ExecutableModified": "instruction changed executable bit of an account",
    "RentEpochModified": "instruction modified rent epoch of an account",
    "NotEnoughAccountKeys": "insufficient account keys for instruction",
    "AccountDataSizeChanged": "program other than the account's owner changed the size of the account data",
    "AccountNotExecutable": "instruction expected an executable account",
    "AccountBorrowFailed": "instruction tries to borrow reference for an account which is already borrowed",
    "InvalidError": "program returned invalid error code",
    "ExecutableDataModified": "instruction changed executable accounts data",
    "ExecutableLamportChange": "instruction changed the balance of an executable account",
    "ExecutableAccountNotRentExempt": "executable accounts must be rent exempt",
    "UnsupportedProgramId": "Unsupported program id",
    "CallDepth": "Cross-program invocation call depth too deep",
    "MissingAccount": "An account required by the instruction is missing",
    "ReentrancyNotAllowed": "Cross-program invocation reentrancy not allowed for this instruction",
    "MaxSeedLengthExceeded": "Length of the seed is too long for address generation",
    "InvalidSeeds": "Provided seeds do not result in a valid address",
    "InvalidRealloc": "Failed to reallocate account data",
    "ComputationalBudgetExceeded": "Computational budget exceeded",
    "PrivilegeEscalation": "Cross-program invocation with unauthorized signer or writable account",
    "ProgramEnvironmentSetupFailure": "Failed to create program execution environment",
    "ProgramFailedToComplete": "Program failed to complete",
    "ProgramFailedToCompile": "Program failed to compile",
    "Immutable": "Account is immutable",
    "IncorrectAuthority": "Incorrect authority provided",
    "AccountNotRentExempt": "An account does not have enough lamports to be rent-exempt",
    "InvalidAccountOwner": "Invalid account owner",
    "ArithmeticOverflow": "Program arithmetic overflowed",
    "UnsupportedSysvar": "Unsupported sysvar",
    "IllegalOwner": "Provided owner is not allowed",
    "MaxAccountsDataAllocationsExceeded": "Accounts data allocations exceeded the maximum allowed per transaction",
    "MaxAccountsExceeded": "Max accounts exceeded",
    "MaxInstructionTraceLengthExceeded": "Max instruction trace length exceeded",
    "BuiltinProgramsMustConsumeComputeUnits": "Builtin programs must consume compute units",
}


def _describe_instruction_error(err: Any) -> str:
    if isinstance(err, dict):
        if "Custom" in err:
            return f"custom program error: {int(err['Custom']):#x}"
        if "BorshIoError" in err:
            return "Failed to serialize or deserialize account data"
        name = next(iter(err), "")
        return _INSTRUCTION_ERRORS.get(name, name)
    return _INSTRUCTION_ERRORS.get(str(err), str(err))


def describe_transaction_error(err: Any) -> str:
    """Human text of a TransactionError in its JSON form, as the RPC's messages show it."""
    if isinstance(err, str):
        return _TRANSACTION_ERRORS.get(err, err)
    if isinstance(err, dict) and err:
        name, value = next(iter(err.items()))
        if name == "InstructionError" and isinstance(value, list) and len(value) == 2:
            return f"Error processing Instruction {value[0]}: {_describe_instruction_error(value[1])}"
        if name == "InsufficientFundsForRent":
            index = value.get("account_index") if isinstance(value, dict) else value
            return f"Transaction results in an account ({index}) with insufficient funds for rent"
        if name == "DuplicateInstruction":
            return f"Transaction contains a duplicate instruction ({value}) that is not allowed"
        return _TRANSACTION_ERRORS.get(name, str(name))
    return str(err)
