package io.rtsem.latency.machine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.BitSet;
import org.junit.jupiter.api.Test;

class CpuListTest {

    @Test
    void listsAndMasksRoundTripInTheKernelsForms() {
        BitSet b = CpuList.parse("0-1,4,6-7\n");
        assertEquals("0-1,4,6-7", CpuList.format(b));
        assertEquals("d3", CpuList.formatMask(b));
        assertEquals(b, CpuList.parseMask("000000d3\n"));
        assertEquals(new BitSet(), CpuList.parse("\n"), "an empty isolated file is no CPU");
        BitSet high = CpuList.parse("0,32");
        assertEquals("1,00000001", CpuList.formatMask(high), "32-bit groups separated by commas, as the kernel reads");
        assertEquals(high, CpuList.parseMask("00000001,00000001"));
    }

    @Test
    void aBadListIsRejectedNamingTheValue() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CpuList.parse("1-x"));
        assertEquals(
                "\"1-x\" is not a CPU list: \"x\" is not a CPU number; expected a list such as 1 or 1-3,5",
                e.getMessage());
        assertEquals(
                "\"3-1\": the range 3-1 runs backwards; expected a CPU list such as 1 or 1-3,5",
                assertThrows(IllegalArgumentException.class, () -> CpuList.parse("3-1"))
                        .getMessage());
        assertEquals(
                "\"9000\": CPU 9000 is beyond the kernel's limit of 8191",
                assertThrows(IllegalArgumentException.class, () -> CpuList.parse("9000"))
                        .getMessage());
        assertThrows(IllegalArgumentException.class, () -> CpuList.parse("1,,2"));
        assertThrows(IllegalArgumentException.class, () -> CpuList.parseMask("0x3"));
    }
}
